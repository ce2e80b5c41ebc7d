#include "metrics/build_info.h"

#include <prometheus/gauge.h>

#include "tickets/version.h"

namespace tickets {

void registerBuildInfo(prometheus::Registry& registry) {
  prometheus::BuildGauge()
      .Name("tickets_build_info")
      .Help("Always 1; labelled with the version and git revision of the running build.")
      .Register(registry)
      .Add({{"version", kVersion}, {"revision", kRevision}})
      .Set(1);
}

}  // namespace tickets
