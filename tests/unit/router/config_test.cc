// Configuration parsing: the issue's example, and one line per kind of error.
#include "router/config.h"

#include <gtest/gtest.h>

namespace grouter {
namespace {

constexpr const char* kExample = R"([DEFAULT]
logging_folder =            # empty: log to stderr
runtime_folder = /some/dir  # grouter's own state files
[logger]
level = INFO                # DEBUG | INFO | WARNING | ERROR
[routing:NAME]
bind_address = 127.0.0.1
bind_port = 6446
destinations = 127.0.0.1:3306,127.0.0.1:3307
routing_strategy = first-available
connect_timeout = 5         # seconds, to a destination
client_connect_timeout = 9  # seconds for a client to finish its handshake
max_connections = 0         # 0: no per-route limit
max_connect_errors = 100
[http_server]
bind_address = 127.0.0.1
port = 8443
)";

TEST(Config, ParsesTheDocumentedExample) {
  auto config = parse_config(kExample, "grouter.conf");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->logging_folder, "");
  EXPECT_EQ(config->runtime_folder, "/some/dir");
  EXPECT_EQ(config->log_level, LogLevel::kInfo);
  ASSERT_EQ(config->routes.size(), 1u);
  const auto& route = config->routes[0];
  EXPECT_EQ(route.name, "NAME");
  EXPECT_EQ(route.bind_address, "127.0.0.1");
  EXPECT_EQ(route.bind_port, 6446);
  ASSERT_EQ(route.destinations.size(), 2u);
  EXPECT_EQ(route.destinations[1].port, 3307);
  EXPECT_EQ(route.strategy, routing::RoutingStrategy::kFirstAvailable);
  EXPECT_EQ(route.connect_timeout.count(), 5000);
  EXPECT_EQ(route.client_connect_timeout.count(), 9000);
  EXPECT_EQ(route.max_connections, 0u);
  EXPECT_EQ(route.max_connect_errors, 100u);
  ASSERT_TRUE(config->http_server.has_value());
  EXPECT_EQ(config->http_server->port, 8443);
}

TEST(Config, DefaultsAndFractionalTimeouts) {
  auto config = parse_config("[routing:a]\nbind_port=1\ndestinations=h\nconnect_timeout=0.25\n[io]\nthreads=3\n", "f");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->routes[0].connect_timeout.count(), 250);
  EXPECT_EQ(config->routes[0].client_connect_timeout.count(), 9000);
  EXPECT_EQ(config->routes[0].strategy, routing::RoutingStrategy::kFirstAvailable);
  EXPECT_EQ(config->io_threads, 3u);
  EXPECT_FALSE(config->http_server.has_value());
}

TEST(Config, ErrorsNameTheFileTheLineAndTheProblem) {
  const std::string route = "[routing:r]\nbind_port = 6446\ndestinations = 127.0.0.1:3306\n";
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {route + "[bogus]\n", "f.conf:4: unknown section [bogus]"},
      {route + "colour = blue\n", "f.conf:4: unknown option 'colour' in section [routing:r]"},
      {"[DEFAULT]\nnope = 1\n" + route, "f.conf:2: unknown option 'nope' in section [DEFAULT]"},
      {route + "bind_port = 7\n", "f.conf:4: option 'bind_port' appears twice in section [routing:r]"},
      {route + "routing_strategy = random\n",
       "f.conf:4: invalid value 'random' for option 'routing_strategy' in [routing:r]: expected "
       "first-available, next-available, round-robin or round-robin-with-fallback"},
      {route + "max_connect_errors = 0\n",
       "f.conf:4: invalid value '0' for option 'max_connect_errors' in [routing:r]: expected an "
       "integer from 1 to 4294967295"},
      {route + "connect_timeout = soon\n",
       "f.conf:4: invalid value 'soon' for option 'connect_timeout' in [routing:r]: expected seconds "
       "from 0.001 to 65535"},
      {"[routing:r]\nbind_port = 99999\n",
       "f.conf:2: invalid value '99999' for option 'bind_port' in [routing:r]: expected an integer "
       "from 1 to 65535"},
      {"[logger]\nlevel = LOUD\n" + route,
       "f.conf:2: invalid value 'LOUD' for option 'level' in [logger]: expected DEBUG, INFO, "
       "WARNING or ERROR"},
      {"\n[routing:r]\ndestinations = a\n", "f.conf:2: section [routing:r] needs option 'bind_port'"},
      {"[routing:r]\nbind_port = 1\n", "f.conf:1: section [routing:r] needs option 'destinations'"},
      {route + "[routing:s]\nbind_port = 6446\ndestinations = x\n",
       "f.conf:5: section [routing:s] binds 127.0.0.1:6446 like [routing:r]"},
      {route + "routing_strategy = round-robin-with-fallback\n",
       "f.conf:4: routing_strategy round-robin-with-fallback in [routing:r] needs metadata-cache "
       "destinations"},
      {"[routing:r]\nbind_port = 1\ndestinations = metadata-cache://g/?role=PRIMARY\n",
       "f.conf:3: metadata-cache destinations in [routing:r] need a [group_replication] section"},
      {"[routing:r]\nbind_port = 1\ndestinations = metadata-cache://g/?role=BOSS\n",
       "f.conf:3: invalid value 'metadata-cache://g/?role=BOSS' for option 'destinations' in "
       "[routing:r]: unknown role 'BOSS'"},
      {route + "[routing:r]\n", "f.conf:4: section [routing:r] appears twice"},
      {"[DEFAULT]\nlogging_folder = x\n", "f.conf:1: no [routing:NAME] section"},
      {route + "this is not ini\n", "f.conf:4: syntax error"},
      {route + "[http_server]\nport = 6446\n", "f.conf:4: [http_server] port 6446 is used by [routing:r]"},
      {"[routing:a\"b]\nbind_port=1\ndestinations=x\n", "f.conf:1: route name 'a\"b' may use only"},
      {route + "consistency = BEFORE\n",
       "f.conf:4: consistency in [routing:r] needs a terminated route"},
      {route + "client_ssl_mode = DISABLED\nserver_ssl_mode = DISABLED\nconsistency = BEFORE\n",
       "f.conf:6: consistency in [routing:r] needs a group route (destinations = "
       "metadata-cache://GROUP/?role=...)"},
      {route + "consistency = SOMETIMES\n",
       "f.conf:4: invalid value 'SOMETIMES' for option 'consistency' in [routing:r]"},
  };
  for (const auto& c : cases) {
    auto config = parse_config(c.text, "f.conf");
    ASSERT_FALSE(config.has_value()) << c.text;
    EXPECT_EQ(config.error().substr(0, c.error.size()), c.error) << c.text;
    EXPECT_EQ(config.error().find('\n'), std::string::npos) << "one line: " << config.error();
  }
}

TEST(Config, SessionOptionsFollowMySqlRoutersRules) {
  const std::string route = "[routing:r]\nbind_port = 6446\ndestinations = 127.0.0.1:3306\n";
  auto plain = parse_config(route, "f.conf");
  ASSERT_TRUE(plain.has_value()) << plain.error();
  EXPECT_FALSE(plain->routes[0].session.terminated());  // no TLS options: the relay, as before
  EXPECT_EQ(plain->routes[0].session.server_mode(), routing::ServerSslMode::kAsClient);

  auto full = parse_config(route +
                               "client_ssl_mode = required\nclient_ssl_cert = /c.pem\n"
                               "client_ssl_key = /k.pem\nclient_ssl_cipher = ECDHE-RSA-AES128-GCM-SHA256\n"
                               "client_ssl_curves = P-256\nserver_ssl_mode = PREFERRED\n"
                               "server_ssl_verify = VERIFY_IDENTITY\nserver_ssl_ca = /ca.pem\n",
                           "f.conf");
  ASSERT_TRUE(full.has_value()) << full.error();
  const auto& session = full->routes[0].session;
  EXPECT_TRUE(session.terminated());
  EXPECT_EQ(session.client_mode(), routing::ClientSslMode::kRequired);
  EXPECT_EQ(session.server_mode(), routing::ServerSslMode::kPreferred);
  EXPECT_EQ(session.server_ssl_verify, routing::ServerSslVerify::kVerifyIdentity);
  EXPECT_EQ(session.client_ssl_curves, "P-256");

  // A certificate without client_ssl_mode: PREFERRED, as in MySQL Router.
  auto implied = parse_config(route + "client_ssl_cert = /c.pem\nclient_ssl_key = /k.pem\n", "f.conf");
  ASSERT_TRUE(implied.has_value()) << implied.error();
  EXPECT_EQ(implied->routes[0].session.client_mode(), routing::ClientSslMode::kPreferred);

  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {route + "client_ssl_mode = PREFERRED\n",
       "f.conf:4: [routing:r]: client_ssl_cert must be set, if client_ssl_mode is 'PREFERRED'."},
      {route + "client_ssl_mode = REQUIRED\nclient_ssl_cert = /c.pem\n",
       "f.conf:4: [routing:r]: client_ssl_key must be set, if client_ssl_mode is 'REQUIRED'."},
      {route + "client_ssl_mode = PASSTHROUGH\nserver_ssl_mode = DISABLED\n",
       "f.conf:4: [routing:r]: If client_ssl_mode is PASSTHROUGH, server_ssl_mode must be AS_CLIENT."},
      {route + "client_ssl_mode = DISABLED\nserver_ssl_verify = VERIFY_CA\n",
       "f.conf:4: [routing:r]: server_ssl_ca must be set, if server_ssl_verify is 'VERIFY_CA'."},
      {route + "client_ssl_mode = DISABLED\nclient_ssl_ca = /ca.pem\n",
       "f.conf:4: [routing:r]: client_ssl_mode=DISABLED can not be combined with client_ssl_ca=/ca.pem"},
      {route + "server_ssl_cert = /c.pem\nserver_ssl_key = /k.pem\n",
       "f.conf:1: [routing:r]: client_ssl_mode=PASSTHROUGH can not be combined with server_ssl_key=/k.pem"},
      {route + "client_ssl_mode = DISABLED\nserver_ssl_mode = DISABLED\nserver_ssl_cert = /c.pem\n",
       "f.conf:4: [routing:r]: server_ssl_mode=DISABLED can not be combined with server_ssl_cert=/c.pem"},
      {route + "client_ssl_mode = sometimes\n",
       "f.conf:4: invalid value 'sometimes' for option 'client_ssl_mode' in [routing:r]: expected "
       "DISABLED, PREFERRED, REQUIRED or PASSTHROUGH"},
      {route + "server_ssl_mode = PASSTHROUGH\n",
       "f.conf:4: invalid value 'PASSTHROUGH' for option 'server_ssl_mode' in [routing:r]: expected "
       "DISABLED, PREFERRED, REQUIRED or AS_CLIENT"},
      {route + "server_ssl_verify = maybe\n",
       "f.conf:4: invalid value 'maybe' for option 'server_ssl_verify' in [routing:r]: expected "
       "DISABLED, VERIFY_CA or VERIFY_IDENTITY"},
  };
  for (const auto& c : cases) {
    auto config = parse_config(c.text, "f.conf");
    ASSERT_FALSE(config.has_value()) << c.text;
    EXPECT_EQ(config.error(), c.error) << c.text;
  }
}

TEST(Config, MissingFileIsAnError) {
  auto config = load_config("/nonexistent/grouter.conf");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error(), "/nonexistent/grouter.conf:0: cannot read the configuration file");
}

}  // namespace
}  // namespace grouter

namespace grouter {
namespace {

constexpr const char* kGroup = R"([routing:r]
bind_port = 6446
destinations = metadata-cache://g/?role=PRIMARY
[group_replication]
group_name = aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa
cluster_user = cu
cluster_password = cpw
recovery_user = ru
recovery_password = rpw
[storage_node:n1]
address = 127.0.0.1:3306
)";

TEST(Config, AdminSectionDefaultsToTheClusterAccount) {
  auto none = parse_config(kGroup, "f.conf");
  ASSERT_TRUE(none.has_value()) << none.error();
  EXPECT_FALSE(none->admin.has_value());  // no [admin]: no admin port

  auto config = parse_config(std::string(kGroup) + "[admin]\nbind_port = 6449\n", "f.conf");
  ASSERT_TRUE(config.has_value()) << config.error();
  ASSERT_TRUE(config->admin.has_value());
  EXPECT_EQ(config->admin->bind_address, "127.0.0.1");
  EXPECT_EQ(config->admin->bind_port, 6449);
  EXPECT_EQ(config->admin->user, "cu");
  EXPECT_EQ(config->admin->password, "cpw");
  EXPECT_EQ(config->admin->max_connections, 16u);
}

TEST(Config, AdminSectionWithItsOwnAccount) {
  const std::string file = ::testing::TempDir() + "admin_password";
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("s3cret\n", f);
    std::fclose(f);
  }
  auto config = parse_config(std::string(kGroup) + "[admin]\nbind_address = 0.0.0.0\nuser = ops\n"
                                                   "password_file = " + file + "\nmax_connections = 4\n",
                             "f.conf");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->admin->user, "ops");
  EXPECT_EQ(config->admin->password, "s3cret");
  EXPECT_EQ(config->admin->max_connections, 4u);
}

TEST(Config, AdminSectionErrors) {
  const std::string route = "[routing:r]\nbind_port = 6446\ndestinations = 127.0.0.1:3306\n";
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {route + "[admin]\n", "f.conf:4: [admin] needs a [group_replication] section"},
      {std::string(kGroup) + "[admin]\ncolour = red\n", "f.conf:13: unknown option 'colour' in section [admin]"},
      {std::string(kGroup) + "[admin]\nbind_port = 0\n",
       "f.conf:13: invalid value '0' for option 'bind_port' in [admin]"},
      {std::string(kGroup) + "[admin]\nuser = ops\n",
       "f.conf:12: [admin] needs 'user' and 'password_file' together"},
      {std::string(kGroup) + "[admin]\npassword_file = /nonexistent/pw\n",
       "f.conf:13: option 'password_file' in [admin]: cannot read '/nonexistent/pw'"},
      {std::string(kGroup) + "[admin]\nbind_port = 6446\n", "f.conf:12: [admin] port 6446 is used by [routing:r]"},
      {std::string(kGroup) + "[http_server]\nport = 6449\n[admin]\n",
       "f.conf:14: [admin] port 6449 is used by [http_server]"},
  };
  for (const auto& c : cases) {
    auto config = parse_config(c.text, "f.conf");
    ASSERT_FALSE(config.has_value()) << c.text;
    EXPECT_EQ(config.error().substr(0, c.error.size()), c.error) << c.text;
  }
}

}  // namespace
}  // namespace grouter
