// Failure-detector arithmetic: silence and refusals to suspicion, suspicion to expel.
#include "metadata/failure_detector.h"

namespace grouter::metadata {

std::expected<void, std::string> validate(const FailureDetectorConfig& config) {
  constexpr int64_t kMaxExpelTimeoutMs = 3600 * 1000;
  if (config.probe_interval_ms <= 0) return std::unexpected("probe_interval_ms must be positive");
  if (config.suspicion_timeout_ms <= 0) {
    return std::unexpected("suspicion_timeout_ms must be positive");
  }
  if (config.refused_probes_to_suspect == 0) {
    return std::unexpected("refused_probes_to_suspect must be at least 1");
  }
  if (config.refused_confirm_ms < 0)
    return std::unexpected("refused_confirm_ms must not be negative");
  if (config.member_expel_timeout_ms < 0 || config.member_expel_timeout_ms > kMaxExpelTimeoutMs) {
    return std::unexpected("member_expel_timeout_ms must be 0..3600000");
  }
  if (config.refused_expel_timeout_ms < 0) {
    return std::unexpected("refused_expel_timeout_ms must not be negative");
  }
  return {};
}

bool FailureDetector::track(const std::string& member_id, int64_t now_ms) {
  const int64_t at_ms = clamp(now_ms);
  if (watches_.contains(member_id)) return true;
  if (watches_.size() >= kMaxWatches) return false;
  Watch watch;
  watch.last_alive_ms = at_ms;
  watches_.emplace(member_id, watch);
  return true;
}

void FailureDetector::forget(const std::string& member_id) {
  watches_.erase(member_id);
}

bool FailureDetector::suspected(const std::string& member_id) const {
  const auto it = watches_.find(member_id);
  return it != watches_.end() && it->second.suspected_since_ms.has_value();
}

int64_t FailureDetector::clamp(int64_t now_ms) {
  latest_ms_ = std::max(latest_ms_, now_ms);
  return latest_ms_;
}

std::vector<DetectorEvent> FailureDetector::observe(const std::string& member_id,
                                                    ProbeOutcome outcome, int64_t now_ms) {
  std::vector<DetectorEvent> events;
  if (!track(member_id, now_ms)) return events;
  const int64_t at_ms = clamp(now_ms);
  Watch& watch = watches_.at(member_id);
  switch (outcome) {
    case ProbeOutcome::kOk:
      watch.last_alive_ms = at_ms;
      watch.refusals = 0;
      if (watch.suspected_since_ms) {
        watch.suspected_since_ms.reset();
        watch.suspected_by_refusal = false;
        watch.expel_reported = false;
        events.push_back({DetectorEvent::Kind::kRecovered, member_id});
      }
      return events;
    case ProbeOutcome::kRefused:
      if (watch.refusals == 0) watch.first_refusal_ms = at_ms;
      ++watch.refusals;
      if (!watch.suspected_since_ms && watch.refusals >= config_.refused_probes_to_suspect &&
          at_ms - watch.first_refusal_ms >= config_.refused_confirm_ms) {
        watch.suspected_since_ms = at_ms;
        watch.suspected_by_refusal = true;
        events.push_back({DetectorEvent::Kind::kSuspect, member_id});
      }
      break;
    case ProbeOutcome::kFailed:
      watch.refusals = 0;
      break;
  }
  check_time(member_id, watch, at_ms, events);
  return events;
}

std::vector<DetectorEvent> FailureDetector::tick(int64_t now_ms) {
  const int64_t at_ms = clamp(now_ms);
  std::vector<DetectorEvent> events;
  for (auto& [member_id, watch] : watches_) check_time(member_id, watch, at_ms, events);
  return events;
}

std::optional<int64_t> FailureDetector::next_deadline_ms() const {
  std::optional<int64_t> earliest;
  for (const auto& [member_id, watch] : watches_) {
    const auto at_ms = deadline_ms(watch);
    if (at_ms && (!earliest || *at_ms < *earliest)) earliest = at_ms;
  }
  return earliest;
}

std::optional<int64_t> FailureDetector::deadline_ms(const Watch& watch) const {
  if (!watch.suspected_since_ms) return watch.last_alive_ms + config_.suspicion_timeout_ms;
  if (watch.expel_reported) return std::nullopt;
  const int64_t expel_timeout_ms = watch.suspected_by_refusal ? config_.refused_expel_timeout_ms
                                                              : config_.member_expel_timeout_ms;
  return *watch.suspected_since_ms + expel_timeout_ms;
}

void FailureDetector::check_time(const std::string& member_id, Watch& watch, int64_t now_ms,
                                 std::vector<DetectorEvent>& events) const {
  if (!watch.suspected_since_ms && now_ms >= *deadline_ms(watch)) {
    watch.suspected_since_ms = now_ms;
    events.push_back({DetectorEvent::Kind::kSuspect, member_id});
  }
  const auto expel_at_ms = deadline_ms(watch);
  if (watch.suspected_since_ms && expel_at_ms && now_ms >= *expel_at_ms) {
    watch.expel_reported = true;
    events.push_back({DetectorEvent::Kind::kExpelDue, member_id});
  }
}

}  // namespace grouter::metadata
