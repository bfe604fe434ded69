// grouter's entry point: command line, configuration, logging, then the App.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "base/logging.h"
#include "router/app.h"
#include "router/check_config.h"
#include "router/config.h"
#include "router/version.h"

int main(int argc, char** argv) {
  CLI::App cli{"grouter: a MySQL-protocol router with Group Replication built in"};
  std::string config_path;
  std::string check_path;
  bool show_version = false;
  cli.add_option("-c,--config", config_path, "configuration file (INI)");
  cli.add_option("--validate-config", check_path,
                 "check FILE as start-up would (syntax, options, values, password and TLS files) "
                 "without starting anything; prints 'FILE: OK' or the problem")
      ->excludes("--config");
  cli.add_flag("-V,--version", show_version, "print the version and exit");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (show_version) {
    std::printf("grouter %s\n", GROUTER_VERSION);
    return 0;
  }
  if (!check_path.empty()) {
    if (auto checked = grouter::check_config_file(check_path); !checked) {
      std::fprintf(stderr, "grouter: %s\n", checked.error().c_str());
      return 1;
    }
    std::printf("%s: OK\n", check_path.c_str());
    return 0;
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "grouter: --config FILE is required (see --help)\n");
    return 1;
  }
  auto config = grouter::load_config(config_path);
  if (!config) {
    std::fprintf(stderr, "grouter: %s\n", config.error().c_str());
    return 1;
  }
  std::string error;
  grouter::Logger logger = grouter::Logger::create(config->logging_folder, config->log_level, error);
  if (!error.empty()) {
    std::fprintf(stderr, "grouter: cannot open the log in '%s': %s\n",
                 config->logging_folder.c_str(), error.c_str());
    return 1;
  }
  grouter::App app(std::move(*config), logger);
  return app.run();
}
