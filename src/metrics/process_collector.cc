#include "metrics/process_collector.h"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace tickets {
namespace {

prometheus::MetricFamily gauge(std::string name, std::string help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return prometheus::MetricFamily{std::move(name), std::move(help), type, {metric}};
}

// Fields of /proc/self/stat after the command name (which may contain spaces).
std::vector<std::string> statFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> fields;
  auto close = line.rfind(')');
  if (close == std::string::npos) {
    return fields;
  }
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  while (rest >> field) {
    fields.push_back(field);
  }
  return fields;
}

double bootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double value = 0;
      in >> value;
      return value;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

double openFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return 0;
  }
  double count = 0;
  while (auto* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') {
      ++count;
    }
  }
  closedir(dir);
  return count - 1;  // the descriptor of the directory being read
}

}  // namespace

ProcessCollector::ProcessCollector() {
  auto fields = statFields();
  // Field 22 of stat (starttime) is index 19 after the command name and state.
  if (fields.size() > 19) {
    start_time_seconds_ =
        bootTimeSeconds() + std::stod(fields[19]) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  auto fields = statFields();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (fields.size() > 21) {
    double cpu = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
    families.push_back(gauge("process_cpu_seconds_total",
                             "Total user and system CPU time spent in seconds.", cpu,
                             prometheus::MetricType::Counter));
    families.push_back(gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                             std::stod(fields[20])));
    families.push_back(gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                             std::stod(fields[21]) * page));
  }
  families.push_back(gauge("process_open_fds", "Number of open file descriptors.", openFds()));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    families.push_back(gauge("process_max_fds", "Maximum number of open file descriptors.",
                             static_cast<double>(limit.rlim_cur)));
  }
  families.push_back(gauge("process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds.",
                           start_time_seconds_));
  return families;
}

}  // namespace tickets
