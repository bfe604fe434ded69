// Failure-detector arithmetic for storage nodes: probe outcomes and the time (`now_ms`, from the
// caller's clock) in, Suspect / Recovered / ExpelDue events out. No clock, timer or thread inside:
// the monitor adapter feeds every probe result and calls tick() at next_deadline_ms(). Events only
// say what this instance observes; the leader turns them into entries once a majority of the view
// is reachable (quorum.h). Not thread-safe; owned by the control loop.
//
// Rules, per member:
// - A probe that succeeds is a sign of life. A member silent (no successful probe) for
//   suspicion_timeout_ms (GR: 5 s) is suspected.
// - Fast path: a refused connection means the server process is gone (the host answered, the port
//   did not). refused_probes_to_suspect (2) consecutive refusals spanning at least
//   refused_confirm_ms (250 ms, so two probes of successive rounds qualify but a burst of retries
//   does not) suspect at once. Any other outcome breaks the run of refusals.
// - A suspected member is due for expel after member_expel_timeout_ms (GR: 5 s) of continuous
//   suspicion, or after refused_expel_timeout_ms (default 0) when the suspicion came from refusals:
//   a process that is gone has lost its place anyway and rejoins through recovery, so waiting buys
//   nothing. ExpelDue is reported once per suspicion.
// - A successful probe of a suspected member reports Recovered and clears the suspicion; if that
//   happens before ExpelDue, the member is never reported for expel.
//
// Timings with the defaults (probe every 500 ms, probe timeout shorter than the interval):
// - kill -9 of a node: the first probe after the kill is refused within 500 ms, the next one 500 ms
//   later: Suspect and ExpelDue within 1000 ms of the kill.
// - A hung node (SIGSTOP, cable pulled): probes time out; Suspect 5000 ms after the last successful
//   probe (which came before the hang), ExpelDue 5000 ms later: within 10000 ms of the hang.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace grouter::metadata {

enum class ProbeOutcome {
  kOk,       // the probe ran: the member is alive
  kRefused,  // connection refused: the process is gone
  kFailed,   // timeout, reset, or any other failure: no sign of life
};

struct FailureDetectorConfig {
  int64_t probe_interval_ms = 500;  // for the adapter's timer; documents the timings above
  int64_t suspicion_timeout_ms = 5000;
  uint32_t refused_probes_to_suspect = 2;
  int64_t refused_confirm_ms = 250;
  int64_t member_expel_timeout_ms = 5000;
  int64_t refused_expel_timeout_ms = 0;
};

// Checks a configuration from the world (the [group_replication] section): positive probe interval
// and suspicion timeout, at least one refusal to suspect, non-negative confirmation and expel
// times, member_expel_timeout_ms at most 3600 s (GR's limit). The error names the field.
[[nodiscard]] std::expected<void, std::string> validate(const FailureDetectorConfig& config);

struct DetectorEvent {
  enum class Kind { kSuspect, kRecovered, kExpelDue };
  Kind kind;
  std::string member_id;

  bool operator==(const DetectorEvent&) const = default;
};

class FailureDetector {
 public:
  explicit FailureDetector(FailureDetectorConfig config) : config_(config) {}

  // At most this many members are watched (a group holds at most 9).
  static constexpr size_t kMaxWatches = 9;

  // Starts watching `member_id` as alive at now_ms (no-op if watched already). False when
  // kMaxWatches members are watched already.
  bool track(const std::string& member_id, int64_t now_ms);
  // Stops watching (the member left the group or the configuration).
  void forget(const std::string& member_id);

  // Records a probe result and returns the events it causes (an unwatched member is tracked from
  // now_ms first; if it cannot be, the result is dropped). Times that go backwards are taken as
  // now_ms = the latest time seen.
  [[nodiscard]] std::vector<DetectorEvent> observe(const std::string& member_id,
                                                   ProbeOutcome outcome, int64_t now_ms);
  // Returns the events that time alone causes by now_ms, in member_id order.
  [[nodiscard]] std::vector<DetectorEvent> tick(int64_t now_ms);

  // The earliest time at which tick() would report something, or nullopt.
  [[nodiscard]] std::optional<int64_t> next_deadline_ms() const;

  bool suspected(const std::string& member_id) const;
  // New timings (member_expel_timeout set at run time): deadlines follow from the next tick.
  void set_config(FailureDetectorConfig config) { config_ = config; }

 private:
  struct Watch {
    int64_t last_alive_ms = 0;
    uint32_t refusals = 0;
    int64_t first_refusal_ms = 0;
    std::optional<int64_t> suspected_since_ms;
    bool suspected_by_refusal = false;
    bool expel_reported = false;
  };

  void check_time(const std::string& member_id, Watch& watch, int64_t now_ms,
                  std::vector<DetectorEvent>& events) const;
  std::optional<int64_t> deadline_ms(const Watch& watch) const;
  int64_t clamp(int64_t now_ms);

  FailureDetectorConfig config_;
  std::map<std::string, Watch> watches_;
  int64_t latest_ms_ = std::numeric_limits<int64_t>::min();
};

}  // namespace grouter::metadata
