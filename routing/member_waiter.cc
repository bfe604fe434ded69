// Waiting for every ONLINE secondary to apply a GTID (AFTER consistency).
#include "routing/member_waiter.h"

#include <algorithm>

#include "protocol/mysql_wire/capabilities.h"
#include "routing/internal_query.h"

namespace grouter::routing {
namespace {

namespace cap = grouter::mysql_wire::capability;

// The waiter's links ask for old-style EOFs: a MASTER_GTID_WAIT reply is then exactly five
// payloads (count, definition, EOF, row, EOF), or one ERR.
constexpr std::uint32_t kLinkCapabilities = cap::kLongPassword | cap::kProtocol41 |
                                            cap::kSecureConnection | cap::kPluginAuth |
                                            cap::kTransactions | cap::kLongFlag;
constexpr std::size_t kReplyPayloads = 5;
constexpr std::uint64_t kTickMs = 200;
constexpr std::uint64_t kRetryMs = 1000;

}  // namespace

MemberWaiter::MemberWaiter(uv_loop_t* loop, Logger logger) : loop_(loop), logger_(std::move(logger)) {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  timer_open_ = true;
}

MemberWaiter::~MemberWaiter() = default;

std::uint64_t MemberWaiter::wait(std::shared_ptr<Route> route, std::string gtid,
                                 std::function<void()> done) {
  const std::uint64_t id = next_id_++;
  Request request{std::move(route), gtid, gtid_sequence(gtid), std::move(done)};
  requests_.emplace(id, std::move(request));
  settle();
  keep_ticking();
  return id;
}

std::uint64_t MemberWaiter::position(std::shared_ptr<Route> route, std::chrono::milliseconds timeout,
                                     PositionDone done) {
  const std::uint64_t id = next_id_++;
  PositionRequest request;
  request.route = std::move(route);
  request.deadline_ms = uv_now(loop_) + static_cast<std::uint64_t>(timeout.count());
  request.done = std::move(done);
  positions_.emplace(id, std::move(request));
  poll_positions();
  keep_ticking();
  return id;
}

void MemberWaiter::keep_ticking() {
  if ((!requests_.empty() || !positions_.empty()) &&
      !uv_is_active(reinterpret_cast<uv_handle_t*>(&timer_))) {
    uv_timer_start(
        &timer_, [](uv_timer_t* t) { static_cast<MemberWaiter*>(t->data)->tick(); }, kTickMs,
        kTickMs);
  }
}

void MemberWaiter::cancel(std::uint64_t id) {
  requests_.erase(id);
  positions_.erase(id);
}

void MemberWaiter::on_view_changed() { settle(); }

MemberWaiter::Node& MemberWaiter::node_for(const std::shared_ptr<Route>& route,
                                           const Destination& destination, bool position) {
  auto& slot = nodes_[(position ? "position " : "") + destination.to_string()];
  if (!slot) {
    slot = std::make_unique<Node>();
    slot->destination = destination;
    slot->route = route;
    slot->position = position;
  }
  return *slot;
}

// Sends each primary's position query for the requests that are not answered by one in flight;
// fails the requests past their deadline or without a primary.
void MemberWaiter::poll_positions() {
  if (closing_) return;
  const std::uint64_t now = uv_now(loop_);
  std::vector<std::pair<PositionDone, std::string>> failed;
  std::vector<Node*> to_ask;
  for (auto it = positions_.begin(); it != positions_.end();) {
    PositionRequest& request = it->second;
    const auto set = request.route->published();
    std::string why;
    if (now >= request.deadline_ms) {
      why = "the primary did not answer in time";
    } else if (!set || set->primaries.empty()) {
      why = set && !set->no_primary_reason.empty() ? "the group has no primary: " + set->no_primary_reason
                                                   : "the group has no primary";
    }
    if (!why.empty()) {
      failed.emplace_back(std::move(request.done), why);
      it = positions_.erase(it);
      continue;
    }
    if (request.asked == nullptr) {
      Node& node = node_for(request.route, set->primaries.front(), true);
      if (std::find(to_ask.begin(), to_ask.end(), &node) == to_ask.end()) to_ask.push_back(&node);
    }
    ++it;
  }
  for (Node* node : to_ask) {
    if (node->busy) continue;  // its answer predates these requests: the next query is theirs
    if (!node->link) {
      open_link(*node);
      continue;
    }
    if (!node->ready) continue;
    for (auto& [id, request] : positions_) {
      const auto set = request.route->published();
      if (request.asked == nullptr && set && !set->primaries.empty() &&
          set->primaries.front() == node->destination) {
        request.asked = node;
      }
    }
    node->busy = true;
    node->reply.clear();
    if (!node->link->send(query_frame("SELECT @@GLOBAL.gtid_binlog_pos"))) {
      answer_positions(*node, std::nullopt, "the link to the primary failed");
      drop_link(*node);
    }
  }
  for (auto& [done, why] : failed) done(std::nullopt, why);
}

void MemberWaiter::answer_positions(Node& node, const std::optional<std::string>& value,
                                    const std::string& why) {
  std::vector<PositionDone> done;
  for (auto it = positions_.begin(); it != positions_.end();) {
    if (it->second.asked == &node) {
      done.push_back(std::move(it->second.done));
      it = positions_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& callback : done) callback(value, why);
}

// Answers every request whose route's ONLINE secondaries all applied its GTID; asks the nodes
// that still must.
void MemberWaiter::settle() {
  if (closing_) return;
  std::vector<std::function<void()>> done;
  for (auto it = requests_.begin(); it != requests_.end();) {
    const auto set = it->second.route->published();
    const std::uint64_t sequence = it->second.sequence;
    bool all = true;  // an unreadable GTID (0) cannot be waited for
    if (sequence != 0 && set) {
      for (const auto& member : set->secondaries) {
        if (node_for(it->second.route, member).applied < sequence) all = false;  // ask every one
      }
    }
    if (all) {
      done.push_back(std::move(it->second.done));
      it = requests_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [name, node] : nodes_) {
    if (!node->position) poll(*node);
  }
  if (requests_.empty() && positions_.empty() && timer_open_) uv_timer_stop(&timer_);
  for (auto& callback : done) callback();
}

void MemberWaiter::tick() {
  settle();
  poll_positions();
  if (requests_.empty() && positions_.empty() && timer_open_) uv_timer_stop(&timer_);
}

void MemberWaiter::poll(Node& node) {
  if (closing_ || node.busy) return;
  // The highest sequence any request still needs from this node.
  std::uint64_t wanted = 0;
  std::string gtid;
  for (const auto& [id, request] : requests_) {
    if (request.sequence > node.applied && request.sequence > wanted) {
      const auto set = request.route->published();
      if (!set || !set->contains(node.destination)) continue;
      wanted = request.sequence;
      gtid = request.gtid;
    }
  }
  if (wanted == 0) return;
  if (!node.link) {
    open_link(node);
    return;
  }
  if (!node.ready) return;
  node.busy = true;
  node.asked = wanted;
  node.reply.clear();
  const auto frame = query_frame("SELECT MASTER_GTID_WAIT(" + sql_quoted(gtid) + ", 1)");
  if (!node.link->send(frame)) drop_link(node);
}

// Opens NODE's cluster_user link; false when it cannot be tried now.
bool MemberWaiter::open_link(Node& node) {
  const std::uint64_t now = uv_now(loop_);
  if (node.failed_at_ms != 0 && now < node.failed_at_ms + kRetryMs) return false;
  const auto login = node.route->cluster_login();
  if (!login) {
    logger_.warning("[consistency] no cluster_user login to wait on {} with",
                    node.destination.to_string());
    return false;
  }
  logger_.debug("[consistency] opening a waiting link to {}", node.destination.to_string());
  LoginRequest request;
  request.user = login->user;
  request.proof = login->proof;
  request.capabilities = kLinkCapabilities;
  request.server_ssl_mode = node.route->config().session.server_mode() == ServerSslMode::kAsClient
                                ? ServerSslMode::kPreferred
                                : node.route->config().session.server_mode();
  request.tls = node.route->tls();
  request.host = node.destination.host;
  node.link = std::make_unique<ServerLink>(loop_, logger_, node.destination,
                                           node.route->config().connect_timeout, std::move(request));
  node.busy = true;
  Node* target = &node;
  node.link->open(
      [this, target](std::expected<LoginResult, LinkError> result) {
        target->busy = false;
        if (!result) {
          logger_.debug("[consistency] waiting link to {} failed: {}",
                        target->destination.to_string(), result.error().message);
          drop_link(*target);
          return;
        }
        target->ready = true;
        settle();
        poll_positions();
      },
      [this, target](std::span<const std::uint8_t> bytes) { on_bytes(*target, bytes); },
      [this, target](LinkError) { drop_link(*target); });
  return true;
}

void MemberWaiter::on_bytes(Node& node, std::span<const std::uint8_t> bytes) {
  node.frames.append(bytes);
  while (auto frame = node.frames.next()) {
    node.reply.emplace_back(frame->begin() + 4, frame->end());
    const bool error = node.reply.front().empty() || node.reply.front()[0] == 0xff;
    if (!error && node.reply.size() < kReplyPayloads) continue;
    const auto value = first_value(node.reply, kLinkCapabilities);
    node.busy = false;
    node.reply.clear();
    if (node.position) {
      if (error || !value) {
        answer_positions(node, std::nullopt, "the primary refused grouter's position query");
        drop_link(node);
      } else {
        answer_positions(node, value, "");
      }
      poll_positions();  // the requests that came meanwhile
      return;
    }
    if (error) {
      drop_link(node);
      return;
    }
    if (value == "0") node.applied = std::max(node.applied, node.asked);
    settle();
    return;
  }
}

void MemberWaiter::drop_link(Node& node) {
  if (node.position) answer_positions(node, std::nullopt, "the link to the primary failed");
  node.failed_at_ms = uv_now(loop_);
  node.ready = false;
  node.busy = false;
  node.frames = FrameBuffer{};
  node.reply.clear();
  if (!node.link) return;
  ServerLink* link = node.link.release();
  ++closing_links_;
  link->close([this, link] {
    delete link;
    --closing_links_;
    if (closing_ && closing_links_ == 0 && !timer_open_ && on_closed_) {
      auto done = std::move(on_closed_);
      on_closed_ = nullptr;
      done();
    }
  });
}

void MemberWaiter::close(std::function<void()> on_closed) {
  closing_ = true;
  on_closed_ = std::move(on_closed);
  requests_.clear();
  positions_.clear();
  for (auto& [name, node] : nodes_) drop_link(*node);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* h) {
    auto* self = static_cast<MemberWaiter*>(h->data);
    self->timer_open_ = false;
    if (self->closing_links_ == 0 && self->on_closed_) {
      auto done = std::move(self->on_closed_);
      self->on_closed_ = nullptr;
      done();
    }
  });
}

}  // namespace grouter::routing
