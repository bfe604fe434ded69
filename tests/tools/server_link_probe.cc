// A driver for the integration tests of ServerLink (tests/integration/test_server_link.py): logs
// in to a real storage node the way a read/write-splitting session will, from the proof
// (SHA1(password), computed here as grouter learns it from a client's proven reply), runs one
// statement it frames itself as COM_QUERY, prints the outcome, closes the link and checks that
// the loop ends with no live handle.
//
//   server_link_probe HOST PORT USER PASSWORD [--schema S] [--query SQL] [--ssl-mode MODE]
//                     [--verify VERIFY] [--ca FILE] [--connect-timeout-ms N]
//
// Output, one line each: "ready <connection id> <tls description or plain>", then "row <values,
// tab-separated>" per row (NULL as \N), or "ERROR <code> (<sql state>) <message>"; always
// "elapsed_ms <n>" last. Exit: 0 the statement ran, 1 an error was printed, 2 bad arguments,
// 3 the loop still had live handles after close.
#include <openssl/evp.h>

#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"
#include "routing/server_link.h"
#include "routing/tls.h"

namespace {

namespace wire = grouter::mysql_wire;
namespace cap = wire::capability;
using grouter::routing::LinkError;
using grouter::routing::LoginResult;
using grouter::routing::ServerLink;

constexpr std::uint32_t kProbeCapabilities =
    cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth | cap::kTransactions |
    cap::kMultiResults | cap::kLongFlag | cap::kDeprecateEof | cap::kConnectAttrs;

struct Options {
  std::string host;
  std::uint16_t port = 0;
  std::string user;
  std::string password;
  std::string schema;
  std::string query = "SELECT CURRENT_USER()";
  grouter::routing::SessionConfig session;
  std::chrono::milliseconds connect_timeout{2000};
};

std::optional<Options> parse(int argc, char** argv) {
  if (argc < 5) return std::nullopt;
  Options options;
  options.host = argv[1];
  options.port = static_cast<std::uint16_t>(std::atoi(argv[2]));
  options.user = argv[3];
  options.password = argv[4];
  options.session.client_ssl_mode = grouter::routing::ClientSslMode::kDisabled;
  options.session.server_ssl_mode = grouter::routing::ServerSslMode::kDisabled;
  for (int i = 5; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--schema") {
      options.schema = value;
    } else if (flag == "--query") {
      options.query = value;
    } else if (flag == "--ssl-mode") {
      options.session.server_ssl_mode = grouter::routing::parse_server_ssl_mode(value);
      if (!options.session.server_ssl_mode) return std::nullopt;
    } else if (flag == "--verify") {
      auto verify = grouter::routing::parse_server_ssl_verify(value);
      if (!verify) return std::nullopt;
      options.session.server_ssl_verify = *verify;
    } else if (flag == "--ca") {
      options.session.server_ssl_ca = value;
    } else if (flag == "--connect-timeout-ms") {
      options.connect_timeout = std::chrono::milliseconds(std::atoi(value.c_str()));
    } else {
      return std::nullopt;
    }
  }
  return options;
}

// SHA1(password): the proof grouter holds once it checked a client's reply; empty for none.
std::vector<std::uint8_t> proof_of(const std::string& password) {
  if (password.empty()) return {};
  std::vector<std::uint8_t> digest(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  EVP_Digest(password.data(), password.size(), digest.data(), &size, EVP_sha1(), nullptr);
  digest.resize(size);
  return digest;
}

void print_error(const LinkError& error) {
  std::printf("ERROR %u (%s) %s\n", error.code, error.sql_state.c_str(), error.message.c_str());
}

// Reads one text result (or OK or ERR) from the node's frames as they arrive.
class ResultReader {
 public:
  explicit ResultReader(std::uint32_t capabilities) : capabilities_(capabilities) {}

  // True once the reply is complete; a malformed reply completes it with an error.
  bool take(std::span<const std::uint8_t> bytes) {
    in_.insert(in_.end(), bytes.begin(), bytes.end());
    for (;;) {
      auto frame = wire::decode_frame(in_);
      if (!frame) return false;
      const std::vector<std::uint8_t> payload(frame->payload.begin(), frame->payload.end());
      in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(frame->size()));
      if (on_payload(payload)) return true;
    }
  }
  bool failed() const { return failed_; }

 private:
  bool on_payload(const std::vector<std::uint8_t>& payload) {
    if (columns_ == 0) {
      if (!payload.empty() && payload[0] == wire::kErrMarker) {
        auto err = wire::decode_err_payload(payload, cap::kProtocol41);
        print_error(err ? LinkError{err->error_code, err->sql_state, err->message}
                        : LinkError{2027, "HY000", "malformed ERR"});
        failed_ = true;
        return true;
      }
      if (!payload.empty() && payload[0] == wire::kOkMarker) return true;
      auto count = wire::decode_column_count(payload, capabilities_, 0);
      if (!count || count->count == 0) return fail("malformed column count");
      columns_ = count->count;
      definitions_left_ = columns_;
      return false;
    }
    if (definitions_left_ > 0) {
      --definitions_left_;
      return false;
    }
    if (wire::is_end_of_rows(payload, capabilities_)) {
      // Without CLIENT_DEPRECATE_EOF an EOF ends the definitions first.
      if ((capabilities_ & cap::kDeprecateEof) == 0 && !definitions_ended_) {
        definitions_ended_ = true;
        return false;
      }
      return true;
    }
    auto row = wire::decode_text_row(payload, columns_);
    if (!row) return fail("malformed row");
    std::string line = "row";
    for (std::size_t i = 0; i < row->values.size(); ++i) {
      line += i == 0 ? " " : "\t";
      line += row->values[i] ? *row->values[i] : "\\N";
    }
    std::printf("%s\n", line.c_str());
    return false;
  }
  bool fail(const char* what) {
    print_error({2027, "HY000", what});
    failed_ = true;
    return true;
  }

  const std::uint32_t capabilities_;
  std::vector<std::uint8_t> in_;
  std::size_t columns_ = 0;
  std::size_t definitions_left_ = 0;
  bool definitions_ended_ = false;
  bool failed_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  auto options = parse(argc, argv);
  if (!options) {
    std::fprintf(stderr,
                 "usage: server_link_probe HOST PORT USER PASSWORD [--schema S] [--query SQL] "
                 "[--ssl-mode MODE] [--verify VERIFY] [--ca FILE] [--connect-timeout-ms N]\n");
    return 2;
  }
  if (auto problem = grouter::routing::check_session_config(options->session)) {
    std::fprintf(stderr, "%s\n", problem->c_str());
    return 2;
  }
  auto contexts = grouter::routing::build_tls_contexts(options->session);
  if (!contexts) {
    std::fprintf(stderr, "%s\n", contexts.error().c_str());
    return 2;
  }

  grouter::routing::LoginRequest login;
  login.user = options->user;
  login.proof = proof_of(options->password);
  login.schema = options->schema;
  login.capabilities = kProbeCapabilities;
  login.attributes = {{"_client_name", "server_link_probe"}};
  login.server_ssl_mode = options->session.server_mode();
  login.tls = *contexts;
  login.host = options->host;

  uv_loop_t loop;
  uv_loop_init(&loop);
  const auto started = std::chrono::steady_clock::now();
  auto link = std::make_unique<ServerLink>(
      &loop, grouter::Logger{}, grouter::routing::Destination{options->host, options->port},
      options->connect_timeout, std::move(login));
  bool failed = true;
  bool closed = false;
  std::unique_ptr<ResultReader> reader;
  auto finish = [&] {
    if (!closed) link->close([&] { closed = true; });
  };
  link->open(
      [&](std::expected<LoginResult, LinkError> ready) {
        if (!ready) {
          print_error(ready.error());
          finish();
          return;
        }
        std::printf("ready %u %s\n", ready->connection_id,
                    ready->tls ? ready->tls_description.c_str() : "plain");
        reader = std::make_unique<ResultReader>(ready->capabilities);
        std::vector<std::uint8_t> payload;
        wire::append_query(payload, wire::ComQuery{options->query});
        std::vector<std::uint8_t> frames;
        std::uint8_t sequence_id = 0;
        wire::append_frames(frames, sequence_id, payload);
        if (!link->send(frames)) {
          print_error({2013, "HY000", "cannot send the statement"});
          finish();
        }
      },
      [&](std::span<const std::uint8_t> bytes) {
        if (reader && reader->take(bytes)) {
          failed = reader->failed();
          finish();
        }
      },
      [&](LinkError error) {
        print_error(error);
        finish();
      });
  uv_run(&loop, UV_RUN_DEFAULT);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::printf("elapsed_ms %lld\n", static_cast<long long>(elapsed.count()));
  if (!closed) {
    std::printf("ERROR the link's close callback never ran\n");
    return 3;
  }
  link.reset();
  if (uv_loop_close(&loop) != 0) {
    std::printf("ERROR live handles on the loop after close\n");
    return 3;
  }
  return failed ? 1 : 0;
}
