// check_config_file (grouter --validate-config): what the parser finds, plus the routes' TLS files.
#include "router/check_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace grouter {
namespace {

std::string write_config(const std::string& name, const std::string& text) {
  const std::string path =
      ::testing::TempDir() + "/grouter-check-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

constexpr const char* kRoute = "[routing:r]\nbind_port = 6446\ndestinations = 127.0.0.1:3306\n";

TEST(CheckConfig, AcceptsAValidFile) {
  const std::string path = write_config("valid.conf", kRoute);
  auto checked = check_config_file(path);
  EXPECT_TRUE(checked.has_value()) << checked.error();
  std::filesystem::remove(path);
}

TEST(CheckConfig, ReportsTheParsersErrorWithFileAndLine) {
  const std::string path = write_config("unknown.conf", std::string(kRoute) + "bind_prot = 1\n");
  auto checked = check_config_file(path);
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error(), path + ":4: unknown option 'bind_prot' in section [routing:r]");
  std::filesystem::remove(path);
}

TEST(CheckConfig, ReportsAMissingFile) {
  const std::string path = ::testing::TempDir() + "/grouter-check-absent.conf";
  auto checked = check_config_file(path);
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error(), path + ":0: cannot read the configuration file");
}

TEST(CheckConfig, LoadsTheRoutesTlsFiles) {
  const std::string missing = ::testing::TempDir() + "/grouter-check-no-such-cert.pem";
  const std::string path = write_config(
      "tls.conf", std::string(kRoute) + "client_ssl_mode = REQUIRED\nclient_ssl_cert = " + missing +
                      "\nclient_ssl_key = " + missing + "\n");
  auto checked = check_config_file(path);
  ASSERT_FALSE(checked.has_value());
  EXPECT_TRUE(checked.error().starts_with(path + ": [routing:r] client_ssl_cert=" + missing + ": "))
      << checked.error();
  EXPECT_EQ(checked.error().find('\n'), std::string::npos) << checked.error();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace grouter
