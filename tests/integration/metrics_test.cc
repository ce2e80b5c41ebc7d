// /metrics of the real binary: names and labels against a golden file, values that move.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/http_client.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

// "name{label,label}" for every sample line, sorted and without duplicates.
std::string seriesShapes(const std::string& exposition) {
  std::set<std::string> shapes;
  std::istringstream in(exposition);
  std::string line;
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? .*$)");
  static const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)=")");
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.empty() || line[0] == '#' || !std::regex_match(line, m, sample)) {
      continue;
    }
    std::set<std::string> names;
    std::string labels = m[3];
    for (std::sregex_iterator it(labels.begin(), labels.end(), label), end; it != end; ++it) {
      names.insert((*it)[1]);
    }
    std::string shape = m[1].str() + "{";
    for (const auto& n : names) {
      shape += (shape.back() == '{' ? "" : ",") + n;
    }
    shapes.insert(shape + "}");
  }
  std::string out;
  for (const auto& s : shapes) {
    out += s + "\n";
  }
  return out;
}

double sampleValue(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

TEST(Metrics, NamesAndLabelsMatchGolden) {
  TestServer server(TestServer::Env{{"SEED_DEMO_DATA", "true"}});
  httpGet(server.port(), "/api/events");
  httpGet(server.port(), "/api/events/2");
  httpGet(server.port(), "/nowhere");
  httpGet(server.port(), "/readiness");
  auto text = httpGet(server.port(), "/metrics").body;
  auto shapes = seriesShapes(text);
  const std::string golden_path = std::string(GOLDEN_DIR) + "/metrics_series.txt";
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path) << shapes;
  }
  std::ifstream in(golden_path);
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(shapes, golden.str());
  // Help and type lines are declared for every family.
  EXPECT_NE(text.find("# TYPE http_request_latency_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# TYPE http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter"), std::string::npos);
}

TEST(Metrics, CountersMoveWithTrafficAndLabelsStayBounded) {
  TestServer server(TestServer::Env{{"SEED_DEMO_DATA", "true"}, {"DB_POOL_SIZE", "7"}});
  for (int i = 1; i <= 5; ++i) {
    httpGet(server.port(), "/api/events/" + std::to_string(i));
  }
  httpGet(server.port(), "/api/events/abc");
  httpGet(server.port(), "/random/path/1");
  httpGet(server.port(), "/random/path/2");
  // A request is counted just after its response is written: wait for the last one.
  std::string text;
  for (int attempt = 0; attempt < 100; ++attempt) {
    text = httpGet(server.port(), "/metrics").body;
    if (sampleValue(text, R"(http_requests_total{code="404",endpoint="unmatched",method="GET"})") ==
        2) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(
      sampleValue(text,
                  R"(http_requests_total{code="200",endpoint="/api/events/{id}",method="GET"})"),
      5);
  EXPECT_EQ(
      sampleValue(text,
                  R"(http_requests_total{code="400",endpoint="/api/events/{id}",method="GET"})"),
      1);
  EXPECT_EQ(
      sampleValue(text, R"(http_requests_total{code="404",endpoint="unmatched",method="GET"})"), 2);
  EXPECT_EQ(
      sampleValue(
          text, R"(http_request_latency_seconds_count{endpoint="/api/events/{id}",method="GET"})"),
      6);
  EXPECT_EQ(sampleValue(text, "db_max_connections"), 7);
  EXPECT_EQ(sampleValue(text, "db_active_connections"), 0);
  EXPECT_EQ(sampleValue(text, "http_requests_in_flight"), 1);  // this scrape
  EXPECT_GT(sampleValue(text, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(sampleValue(text, "process_open_fds"), 3);
  EXPECT_GT(sampleValue(text, "process_start_time_seconds"), 1.7e9);
  EXPECT_EQ(text.find("/random/path"), std::string::npos);
  EXPECT_EQ(text.find("/api/events/1\""), std::string::npos);
  if (const char* dump = std::getenv("METRICS_DUMP")) {
    std::ofstream(dump) << text;
  }
}

}  // namespace
}  // namespace tickets::test
