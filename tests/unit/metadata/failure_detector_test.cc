// Failure-detector timelines: a monitor that probes every 500 ms and ticks at each deadline.
#include "metadata/failure_detector.h"

#include <functional>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace grouter::metadata {
namespace {

using Kind = DetectorEvent::Kind;
using Timeline = std::vector<std::pair<int64_t, DetectorEvent>>;
using Outcomes = std::function<ProbeOutcome(int64_t at_ms)>;

constexpr int64_t kProbeMs = 500;
const std::string kA = "a";

DetectorEvent ev(Kind kind, const std::string& member_id = kA) {
  return {kind, member_id};
}

// Drives a detector the way the monitor adapter does: a probe of member "a" every 500 ms from 0
// to until_ms with the outcome `outcomes` gives, and a tick at every deadline in between.
Timeline run(const Outcomes& outcomes, int64_t until_ms) {
  FailureDetector detector{FailureDetectorConfig{}};
  detector.track(kA, 0);
  Timeline timeline;
  const auto record = [&](int64_t at_ms, const std::vector<DetectorEvent>& events) {
    for (const auto& e : events) timeline.emplace_back(at_ms, e);
  };
  for (int64_t probe_ms = 0; probe_ms <= until_ms; probe_ms += kProbeMs) {
    record(probe_ms, detector.observe(kA, outcomes(probe_ms), probe_ms));
    for (int bound = 0; bound < 10; ++bound) {
      const auto deadline_ms = detector.next_deadline_ms();
      if (!deadline_ms || *deadline_ms >= probe_ms + kProbeMs) break;
      record(*deadline_ms, detector.tick(*deadline_ms));
    }
  }
  return timeline;
}

ProbeOutcome ok_until(int64_t at_ms, int64_t end_ms, ProbeOutcome then) {
  return at_ms < end_ms ? ProbeOutcome::kOk : then;
}

struct TimelineCase {
  const char* name;
  Outcomes outcomes;
  int64_t until_ms;
  Timeline expected;
};

TEST(FailureDetector, Timelines) {
  const TimelineCase cases[] = {
      {"healthy", [](int64_t) { return ProbeOutcome::kOk; }, 20000, {}},
      {"hung at 2000: suspect 5 s after the last ok probe, expel 5 s later",
       [](int64_t t) { return ok_until(t, 2000, ProbeOutcome::kFailed); },
       20000,
       {{6500, ev(Kind::kSuspect)}, {11500, ev(Kind::kExpelDue)}}},
      {"killed at 2100: two refusals, suspect and expel at once",
       [](int64_t t) { return ok_until(t, 2100, ProbeOutcome::kRefused); },
       20000,
       {{3000, ev(Kind::kSuspect)}, {3000, ev(Kind::kExpelDue)}}},
      {"flapping: silent 2000..8999, recovers before expel",
       [](int64_t t) { return t >= 2000 && t < 9000 ? ProbeOutcome::kFailed : ProbeOutcome::kOk; },
       20000,
       {{6500, ev(Kind::kSuspect)}, {9000, ev(Kind::kRecovered)}}},
      {"back after expel is due",
       [](int64_t t) { return t >= 2000 && t < 12000 ? ProbeOutcome::kFailed : ProbeOutcome::kOk; },
       20000,
       {{6500, ev(Kind::kSuspect)}, {11500, ev(Kind::kExpelDue)}, {12000, ev(Kind::kRecovered)}}},
      {"refusals broken by successes never suspect",
       [](int64_t t) {
         return (t / kProbeMs) % 2 == 0 ? ProbeOutcome::kRefused : ProbeOutcome::kOk;
       },
       20000,
       {}},
      {"refusals broken by timeouts: the silence rule applies",
       [](int64_t t) {
         if (t < 2500) return ProbeOutcome::kOk;
         return (t / kProbeMs) % 2 == 0 ? ProbeOutcome::kFailed : ProbeOutcome::kRefused;
       },
       20000,
       {{7000, ev(Kind::kSuspect)}, {12000, ev(Kind::kExpelDue)}}},
      {"restarted after a kill: expel was due, then recovered",
       [](int64_t t) { return t >= 2100 && t < 4000 ? ProbeOutcome::kRefused : ProbeOutcome::kOk; },
       6000,
       {{3000, ev(Kind::kSuspect)}, {3000, ev(Kind::kExpelDue)}, {4000, ev(Kind::kRecovered)}}},
  };
  for (const TimelineCase& c : cases) EXPECT_EQ(run(c.outcomes, c.until_ms), c.expected) << c.name;
}

TEST(FailureDetector, RefusalBurstNeedsConfirmationTime) {
  FailureDetector detector{FailureDetectorConfig{}};
  detector.track(kA, 0);
  EXPECT_TRUE(detector.observe(kA, ProbeOutcome::kRefused, 1000).empty());
  EXPECT_TRUE(detector.observe(kA, ProbeOutcome::kRefused, 1100).empty());
  EXPECT_TRUE(detector.observe(kA, ProbeOutcome::kRefused, 1200).empty());
  EXPECT_FALSE(detector.suspected(kA));
  EXPECT_EQ(detector.observe(kA, ProbeOutcome::kRefused, 1250),
            (std::vector<DetectorEvent>{ev(Kind::kSuspect), ev(Kind::kExpelDue)}));
  EXPECT_TRUE(detector.suspected(kA));
}

TEST(FailureDetector, RefusedExpelTimeoutIsConfigurable) {
  FailureDetectorConfig config;
  config.refused_expel_timeout_ms = 2000;
  FailureDetector detector{config};
  detector.track(kA, 0);
  EXPECT_TRUE(detector.observe(kA, ProbeOutcome::kRefused, 500).empty());
  EXPECT_EQ(detector.observe(kA, ProbeOutcome::kRefused, 1000),
            (std::vector<DetectorEvent>{ev(Kind::kSuspect)}));
  EXPECT_EQ(detector.next_deadline_ms(), 3000);
  EXPECT_TRUE(detector.tick(2999).empty());
  EXPECT_EQ(detector.tick(3000), (std::vector<DetectorEvent>{ev(Kind::kExpelDue)}));
  EXPECT_TRUE(detector.tick(9000).empty());  // reported once
}

TEST(FailureDetector, DeadlinesAndOrder) {
  FailureDetector detector{FailureDetectorConfig{}};
  detector.track("b", 0);
  detector.track(kA, 100);
  EXPECT_EQ(detector.next_deadline_ms(), 5000);
  EXPECT_TRUE(detector.observe("b", ProbeOutcome::kOk, 4000).empty());
  EXPECT_EQ(detector.next_deadline_ms(), 5100);
  // Several events from one tick come in member_id order.
  EXPECT_EQ(detector.tick(9000),
            (std::vector<DetectorEvent>{ev(Kind::kSuspect, kA), ev(Kind::kSuspect, "b")}));
  EXPECT_EQ(detector.next_deadline_ms(), 14000);
  EXPECT_EQ(detector.tick(14000),
            (std::vector<DetectorEvent>{ev(Kind::kExpelDue, kA), ev(Kind::kExpelDue, "b")}));
  EXPECT_EQ(detector.next_deadline_ms(), std::nullopt);
}

TEST(FailureDetector, TimeGoingBackIsClampedAndForgetStops) {
  FailureDetector detector{FailureDetectorConfig{}};
  detector.track(kA, 10000);
  EXPECT_TRUE(detector.tick(3000).empty());
  EXPECT_EQ(detector.tick(15000), (std::vector<DetectorEvent>{ev(Kind::kSuspect)}));
  // A late-arriving probe result stamped in the past counts as now (15000).
  EXPECT_EQ(detector.observe(kA, ProbeOutcome::kOk, 12000),
            (std::vector<DetectorEvent>{ev(Kind::kRecovered)}));
  EXPECT_EQ(detector.next_deadline_ms(), 20000);
  detector.forget(kA);
  EXPECT_TRUE(detector.tick(60000).empty());
  EXPECT_EQ(detector.next_deadline_ms(), std::nullopt);
  // An unwatched member is tracked from its first observation.
  EXPECT_TRUE(detector.observe("c", ProbeOutcome::kFailed, 60000).empty());
  EXPECT_EQ(detector.next_deadline_ms(), 65000);
}

}  // namespace
}  // namespace grouter::metadata

namespace grouter::metadata {
namespace {

struct ConfigCase {
  const char* name;
  void (*change)(FailureDetectorConfig&);
  std::string error;  // empty = valid
};

TEST(FailureDetectorConfig, Validation) {
  const ConfigCase cases[] = {
      {"defaults", [](FailureDetectorConfig&) {}, ""},
      {"expel at once", [](FailureDetectorConfig& c) { c.member_expel_timeout_ms = 0; }, ""},
      {"probe 0", [](FailureDetectorConfig& c) { c.probe_interval_ms = 0; },
       "probe_interval_ms must be positive"},
      {"suspicion 0", [](FailureDetectorConfig& c) { c.suspicion_timeout_ms = 0; },
       "suspicion_timeout_ms must be positive"},
      {"no refusals", [](FailureDetectorConfig& c) { c.refused_probes_to_suspect = 0; },
       "refused_probes_to_suspect must be at least 1"},
      {"confirm negative", [](FailureDetectorConfig& c) { c.refused_confirm_ms = -1; },
       "refused_confirm_ms must not be negative"},
      {"expel over an hour", [](FailureDetectorConfig& c) { c.member_expel_timeout_ms = 3600001; },
       "member_expel_timeout_ms must be 0..3600000"},
      {"refused expel negative", [](FailureDetectorConfig& c) { c.refused_expel_timeout_ms = -5; },
       "refused_expel_timeout_ms must not be negative"},
  };
  for (const ConfigCase& c : cases) {
    FailureDetectorConfig config;
    c.change(config);
    const auto valid = validate(config);
    EXPECT_EQ(valid.has_value() ? std::string() : valid.error(), c.error) << c.name;
  }
}

TEST(FailureDetector, WatchesAtMostNineMembers) {
  FailureDetector detector{FailureDetectorConfig{}};
  for (size_t i = 0; i < FailureDetector::kMaxWatches; ++i) {
    EXPECT_TRUE(detector.track("m" + std::to_string(i), 0));
  }
  EXPECT_FALSE(detector.track("extra", 0));
  EXPECT_TRUE(detector.track("m0", 0));  // already watched
  EXPECT_TRUE(detector.observe("extra", ProbeOutcome::kRefused, 100).empty());
  EXPECT_TRUE(detector.observe("extra", ProbeOutcome::kRefused, 900).empty());
  EXPECT_FALSE(detector.suspected("extra"));
  detector.forget("m3");
  EXPECT_TRUE(detector.track("extra", 1000));
}

}  // namespace
}  // namespace grouter::metadata
