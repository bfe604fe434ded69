// Connection's read/write-splitting side (access_mode = auto): the primary leg is the connection's
// own server socket, run through its SessionTerminator; the secondary leg is a ServerLink logged
// in with the client's proof; the RwSplitter decides which leg runs each command.
#include <arpa/inet.h>

#include "routing/connection.h"
#include "routing/member_waiter.h"

#include "protocol/mysql_wire/ok_packet.h"

namespace grouter::routing {
namespace {

// The address grouter's socket to the primary has: the storage nodes see the session from there.
std::string local_host_of(const uv_tcp_t* tcp) {
  sockaddr_storage address{};
  int length = sizeof(address);
  if (uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return "127.0.0.1";
  }
  char name[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(&address), name, sizeof(name));
  } else {
    uv_ip4_name(reinterpret_cast<const sockaddr_in*>(&address), name, sizeof(name));
  }
  return name;
}

}  // namespace

void Connection::start_split() {
  const RouteConfig& config = route_->config();
  SplitterSettings settings;
  settings.capabilities = terminator_->capabilities();
  settings.mariadb_capabilities = terminator_->mariadb_capabilities();
  settings.consistency = Consistency::kBeforeOnPrimaryFailover;
  if (config.consistency) {
    settings.consistency = *config.consistency;
  } else if (auto set = route_->published(); set && set->consistency) {
    settings.consistency = *set->consistency;  // the group's, as decided now
  }
  settings.wait_for_my_writes = config.wait_for_my_writes;
  settings.wait_for_my_writes_timeout_s =
      static_cast<std::uint32_t>(config.wait_for_my_writes_timeout.count());
  settings.primary_only = !config.access_mode_auto;
  settings.member_leg = !config.access_mode_auto && config.group &&
                        config.group->role != ServerRole::kPrimary;
  splitter_ = std::make_unique<RwSplitter>(settings, terminator_->login_ok(),
                                           terminator_->client_response().schema);
  terminator_->hand_over_command_phase();
  local_host_ = local_host_of(&server_->tcp);
}

SplitterOutput Connection::split_plaintext(TerminatorOutput& out) {
  SplitterOutput split;
  if (!out.server_plain.empty()) {
    primary_frames_.append(out.server_plain);
    out.server_plain.clear();
    while (auto frame = primary_frames_.next()) {
      splitter_->on_server_frame(Leg::kPrimary, *frame, split);
      if (!split.fatal.empty()) break;
    }
  }
  if (!out.client_plain.empty()) {
    client_frames_.append(out.client_plain);  // apply_split() feeds them as the splitter takes them
    out.client_plain.clear();
  }
  return split;  // the rest after OUT is sent (a fatal end must not cut it)
}

// Executes what the splitter asked that does not go through the terminator's output.
void Connection::apply_split(SplitterOutput& split) {
  SplitterOutput current = std::move(split);
  for (;;) {
    if (!execute_split(current)) return;
    // The client's next frames, as far as the splitter takes them now (a pipelined command waits
    // here, in client_frames_, until the legs are idle).
    SplitterOutput more;
    bool fed = false;
    while (splitter_->accepting_client()) {
      auto frame = client_frames_.next();
      if (!frame) break;
      fed = true;
      splitter_->on_client_frame(*frame, more);
      if (!more.fatal.empty()) break;
    }
    if (!fed) break;
    current = std::move(more);
  }
  update_client_reading();
}

// Executes one output of the splitter; false when the session is ending.
bool Connection::execute_split(SplitterOutput& split) {
  if (!split.to_client.empty() || (!split.to_primary.empty() && !primary_link_)) {
    TerminatorOutput out;
    if (!split.to_client.empty()) terminator_->send_client_plain(split.to_client, out);
    if (!split.to_primary.empty() && !primary_link_ && server_ != nullptr) {
      terminator_->send_server_plain(split.to_primary, out);
    }
    send_terminated(out);
    if (state_ == State::kClosing) return false;
  }
  if (!split.to_primary.empty() && primary_link_ && !primary_link_->send(split.to_primary)) {
    split.fatal = "the primary leg's send queue is full";
  }
  if (!split.to_secondary.empty() && secondary_ && !secondary_->send(split.to_secondary)) {
    split.fatal = "the secondary leg's send queue is full";
  }
  if (split.close_secondary) close_secondary();
  if (!split.fatal.empty()) {
    context_.logger.info("[routing:{}] session of {} ends: {}", route_->name(), client_host_,
                         split.fatal);
    close_after_flush();
    return false;
  }
  if (split.open_secondary) open_secondary();
  if (split.open_primary) open_primary();
  if (split.need_group_position) request_group_position();
  if (!split.wait_members_gtid.empty() && context_.member_waiter != nullptr) {
    context_.logger.debug("[routing:{}] {}: the write's OK waits for the secondaries to apply {}",
                          route_->name(), client_host_, split.wait_members_gtid);
    members_wait_ = context_.member_waiter->wait(route_, split.wait_members_gtid, [this] {
      members_wait_ = 0;
      SplitterOutput out;
      splitter_->on_members_applied(out);
      apply_split(out);
    });
  }
  return state_ == State::kRelaying;
}

// BEFORE on a route to one member: the primary's position, read after the statement arrived.
void Connection::request_group_position() {
  if (context_.member_waiter == nullptr) {
    SplitterOutput out;
    splitter_->on_group_position(std::nullopt, "grouter has no cluster_user links here", out);
    apply_split(out);
    return;
  }
  const auto timeout = std::chrono::seconds(SplitterSettings{}.before_timeout_s);
  // An answer given at once (no primary) is applied after this call, not inside it.
  auto in_call = std::make_shared<bool>(true);
  std::optional<std::pair<std::optional<std::string>, std::string>> at_once;
  auto answer = [this](const std::optional<std::string>& position, const std::string& why) {
    if (state_ != State::kRelaying) return;
    SplitterOutput out;
    splitter_->on_group_position(position, why, out);
    apply_split(out);
  };
  const std::uint64_t id = context_.member_waiter->position(
      route_, timeout,
      [this, in_call, &at_once, answer](std::optional<std::string> position, const std::string& why) {
        position_wait_ = 0;
        if (*in_call) {
          at_once.emplace(std::move(position), why);
          return;
        }
        answer(position, why);
      });
  *in_call = false;
  if (at_once) {
    answer(at_once->first, at_once->second);
  } else {
    position_wait_ = id;
  }
}

void Connection::update_client_reading() {
  if (state_ != State::kRelaying || to_client_.active || to_server_.active) return;
  if (splitter_ && !splitter_->accepting_client()) {
    uv_read_stop(stream(Side::kClient));
  } else {
    start_reading(Side::kClient);
  }
}

// How the session logs in to TARGET: the client's user, schema and options, and the proof its
// reply gave (checked against the account's stored hash). Nullopt, with WHY, when grouter cannot.
std::optional<LoginRequest> Connection::login_for(const Destination& target, std::string& why) {
  const auto& accounts = route_->accounts();
  if (!accounts) {
    why = "grouter has not read the accounts (cluster_user)";
    return std::nullopt;
  }
  const auto& response = terminator_->client_response();
  const auto lookup =
      accounts->prove(response.user, local_host_, response.auth_response, terminator_->nonce());
  if (lookup.outcome != ProofLookup::Outcome::kProven) {
    accounts->request_refresh(uv_now(context_.loop));
    why = "the account's stored hash does not prove the login (refreshing the accounts)";
    return std::nullopt;
  }
  LoginRequest login;
  login.user = response.user;
  login.proof = lookup.proof;
  login.schema = response.schema;
  login.charset = response.charset;
  login.max_packet_size = response.max_packet_size;
  login.capabilities = terminator_->capabilities();
  login.mariadb_capabilities = terminator_->mariadb_capabilities();
  login.attributes = response.attributes;
  login.server_ssl_mode = route_->config().session.server_mode();
  login.client_tls = terminator_->client_tls();
  login.tls = route_->tls();
  login.host = target.host;
  return login;
}

void Connection::open_secondary() {
  SplitterOutput split;
  auto fail = [&](const std::string& why) {
    context_.logger.debug("[routing:{}] {}: no secondary leg: {}", route_->name(), client_host_, why);
    splitter_->on_secondary_failed(why, split);
    apply_split(split);
  };
  const auto target = route_->pick_secondary();
  if (!target) return fail("the group has no ONLINE secondary");
  std::string why;
  auto login = login_for(*target, why);
  if (!login) return fail(why);
  secondary_ = std::make_unique<ServerLink>(context_.loop, context_.logger, *target,
                                            route_->config().connect_timeout, std::move(*login));
  ++live_handles_;  // the link's close callback is due before this connection may go
  secondary_->open(
      [this](std::expected<LoginResult, LinkError> result) {
        SplitterOutput out;
        if (!result) {
          context_.logger.info("[routing:{}] {}: secondary leg to {} failed: {} {}", route_->name(),
                               client_host_, secondary_->destination().to_string(),
                               result.error().code, result.error().message);
          close_secondary();
          splitter_->on_secondary_failed(result.error().message, out);
        } else {
          std::vector<std::uint8_t> ok;
          mysql_wire::OkPacket login_ok;
          login_ok.status_flags = result->status_flags;
          mysql_wire::append_ok_payload(ok, login_ok, result->capabilities);
          splitter_->on_secondary_ready(ok, out);
        }
        apply_split(out);
      },
      [this](std::span<const std::uint8_t> bytes) { on_secondary_bytes(bytes); },
      [this](LinkError error) {
        SplitterOutput out;
        close_secondary();
        splitter_->on_secondary_lost(error.message, out);
        apply_split(out);
      });
}

void Connection::on_secondary_bytes(std::span<const std::uint8_t> bytes) {
  if (state_ != State::kRelaying) return;
  SplitterOutput split;
  secondary_frames_.append(bytes);
  while (auto frame = secondary_frames_.next()) {
    splitter_->on_server_frame(Leg::kSecondary, *frame, split);
    if (!split.fatal.empty()) break;
  }
  apply_split(split);
}

void Connection::close_secondary() {
  secondary_frames_ = FrameBuffer{};
  dispose_link(secondary_);
}

// Closes LINK (if any); its close callback, due before this connection may go, frees it.
void Connection::dispose_link(std::unique_ptr<ServerLink>& link) {
  if (!link) return;
  ServerLink* raw = link.release();
  raw->close([this, raw] {
    delete raw;
    on_handle_closed();
  });
}

// A new view: the primary leg must still be the primary; the secondary leg an ONLINE member.
void Connection::check_split_legs() {
  if (state_ != State::kRelaying) return;
  if (waiting_primary_) {
    open_primary();
    return;
  }
  if (!primary_opening_ && !route_->allows(destination_)) {
    lose_primary(destination_.to_string() + " is no longer the primary");
    if (state_ != State::kRelaying) return;
  }
  const auto set = route_->published();
  if (secondary_ && set && !set->contains(secondary_->destination())) {
    SplitterOutput out;
    close_secondary();
    splitter_->on_secondary_lost("no longer an ONLINE member", out);
    apply_split(out);
  }
}

// The primary leg is gone: its connection closed, or its node is no longer the primary. The
// splitter decides whether the session carries on (on a new primary leg) or ends.
void Connection::lose_primary(const std::string& why) {
  context_.logger.info("[routing:{}] {}: primary leg to {} lost: {}", route_->name(), client_host_,
                       destination_.to_string(), why);
  if (primary_link_) {
    dispose_link(primary_link_);
  } else if (server_ != nullptr) {
    server_lost_ = true;
    close_attempt(server_);
    server_ = nullptr;
  }
  primary_frames_ = FrameBuffer{};
  SplitterOutput out;
  splitter_->on_primary_lost(why, out);
  apply_split(out);
}

// A new primary leg: to the group's primary as published. While there is none — or only the
// one that just refused (a killed primary stays published until the group expels it) — the
// session waits for a new publication, at most destination_wait_timeout from the loss.
void Connection::open_primary() {
  SplitterOutput out;
  if (!primary_deadline_armed_) {
    primary_deadline_armed_ = true;
    uv_timer_start(
        &connect_timer_,
        [](uv_timer_t* timer) {
          auto* self = static_cast<Connection*>(timer->data);
          if (!self->primary_deadline_armed_ || self->state_ != State::kRelaying) return;
          self->primary_deadline_armed_ = false;
          self->waiting_primary_ = false;
          SplitterOutput failed;
          self->splitter_->on_primary_failed("no primary within destination_wait_timeout", failed);
          self->apply_split(failed);
        },
        static_cast<std::uint64_t>(route_->config().destination_wait_timeout.count()), 0);
  }
  const auto set = route_->published();
  if (!set || set->primaries.empty() || set->generation == failed_generation_) {
    waiting_primary_ = true;
    return;
  }
  waiting_primary_ = false;
  const Destination target = set->primaries.front();
  std::string why;
  auto login = login_for(target, why);
  if (!login) {
    splitter_->on_primary_failed(why, out);
    apply_split(out);
    return;
  }
  primary_opening_ = true;
  const std::uint64_t generation = set->generation;
  primary_link_ = std::make_unique<ServerLink>(context_.loop, context_.logger, target,
                                               route_->config().connect_timeout, std::move(*login));
  ++live_handles_;  // the link's close callback is due before this connection may go
  primary_link_->open(
      [this, target, generation](std::expected<LoginResult, LinkError> result) {
        primary_opening_ = false;
        SplitterOutput ready;
        if (!result) {
          context_.logger.info("[routing:{}] {}: {} refused the session's new primary leg: {} {}",
                               route_->name(), client_host_, target.to_string(),
                               result.error().code, result.error().message);
          dispose_link(primary_link_);
          failed_generation_ = generation;
          open_primary();  // waits for the next publication
          return;
        } else {
          primary_deadline_armed_ = false;
          uv_timer_stop(&connect_timer_);
          destination_ = target;
          stats_->destination_address = target.to_string();
          context_.logger.info("[routing:{}] {}: the session goes on on the primary {}",
                               route_->name(), client_host_, target.to_string());
          std::vector<std::uint8_t> ok;
          mysql_wire::OkPacket login_ok;
          login_ok.status_flags = result->status_flags;
          mysql_wire::append_ok_payload(ok, login_ok, result->capabilities);
          splitter_->on_primary_ready(ok, ready);
        }
        apply_split(ready);
      },
      [this](std::span<const std::uint8_t> bytes) {
        if (state_ != State::kRelaying) return;
        SplitterOutput split;
        primary_frames_.append(bytes);
        while (auto frame = primary_frames_.next()) {
          splitter_->on_server_frame(Leg::kPrimary, *frame, split);
          if (!split.fatal.empty()) break;
        }
        apply_split(split);
      },
      [this](LinkError error) { lose_primary(error.message); });
}

}  // namespace grouter::routing
