// The pure decision core (metadata/decide.h): given the state, what was observed and what is in
// flight, the entries and the operation it decides. No sockets or clocks: every case is a value in
// and a value out.
#include "metadata/decide.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::id;
using testing::must_apply;
using testing::must_apply_all;
using testing::online_group;
using testing::pos;

constexpr int64_t kNow = 1765000000000;

// Facts of a node that meets every requirement, with server_id n.
NodeFacts facts(int n, const std::string& executed = "0-1-10") {
  NodeFacts f;
  f.version = "";  // the state has no version either: nothing to observe
  f.server_id = static_cast<uint32_t>(n);
  f.read_only = true;
  f.log_bin = true;
  f.log_slave_updates = true;
  f.binlog_format = "ROW";
  f.gtid_strict_mode = true;
  f.semi_sync_present = true;
  f.current_pos = pos(executed);
  f.binlog_pos = pos(executed);
  return f;
}

NodeFacts primary(int n, const std::string& executed = "0-1-10") {
  NodeFacts f = facts(n, executed);
  f.read_only = false;
  f.semi_sync_master_enabled = true;
  f.semi_sync_master_active = true;
  f.semi_sync_wait_point = "AFTER_SYNC";
  f.semi_sync_wait_no_slave = true;
  f.semi_sync_master_timeout_ms = kSemiSyncMasterTimeoutMs;
  return f;
}

NodeFacts replica_of(int n, int source, const std::string& executed = "0-1-10") {
  NodeFacts f = facts(n, executed);
  f.semi_sync_slave_enabled = true;
  f.replica = testing::replicating_from(source, executed);
  return f;
}

struct World {
  ControllerConfig config;
  GroupState state;
  Observations seen;
  InFlight in_flight;
  int64_t now = kNow;

  // `count` nodes n1..nCOUNT, all answering with fresh facts: n1 the primary, the others its
  // replicas (ONLINE unless the state says otherwise).
  World(int count, GroupState group) : state(std::move(group)) {
    config.group_name = testing::kGroupName;
    for (int n = 1; n <= count; ++n) {
      config.nodes.push_back(testing::node(n));
      NodeObservation o;
      o.name = "n" + std::to_string(n);
      o.probed = o.answered = o.fresh = true;
      o.facts = n == 1 ? primary(1) : replica_of(n, 1);
      seen.nodes.push_back(o);
    }
  }
  explicit World(int count) : World(count, online_group(count)) {}

  NodeObservation& node(int n) { return seen.nodes[static_cast<size_t>(n - 1)]; }
  NodeFacts& f(int n) { return *node(n).facts; }

  Decision decide(uint64_t seed = 1) {
    SeededRandom random(seed);
    return metadata::decide(config, state, seen, in_flight, now, random);
  }
  // Decides and applies the entries, as the controller does.
  Decision step(uint64_t seed = 1) {
    Decision d = decide(seed);
    for (const Entry& e : d.entries) state = must_apply(state, e);
    return d;
  }
};

// D's operation is KIND on NODE.
::testing::AssertionResult operation_is(const Decision& d, OpKind kind, const std::string& node) {
  if (!d.operation) return ::testing::AssertionFailure() << "no operation";
  if (d.operation->kind != kind || d.operation->node != node)
    return ::testing::AssertionFailure() << "operation: " << d.operation->describe();
  return ::testing::AssertionSuccess();
}

template <typename E>
std::vector<E> entries_of(const Decision& d) {
  std::vector<E> out;
  for (const Entry& e : d.entries) {
    if (const E* x = std::get_if<E>(&e)) out.push_back(*x);
  }
  return out;
}

TEST(Decide, AHealthyGroupNeedsNothing) {
  World w(3);
  // The first look records each secondary's own-write baseline; after that, nothing.
  Decision first = w.step();
  EXPECT_EQ(entries_of<OwnWritesRecorded>(first).size(), 2u);
  EXPECT_FALSE(first.operation);
  Decision again = w.step();
  EXPECT_TRUE(again.entries.empty());
  EXPECT_FALSE(again.operation);
}

TEST(Decide, OnlyFencingWhileAnOperationRuns) {
  World w(3);
  w.f(3).replica->source_port = 3302;  // would be repointed
  Operation recovery;
  recovery.kind = OpKind::kRecover;
  recovery.node = "n2";
  w.in_flight.running.push_back(recovery);
  Decision d = w.decide();
  EXPECT_TRUE(d.entries.empty());
  EXPECT_FALSE(d.operation);
  w.f(3).read_only = false;  // a resumed old primary, say: fenced without waiting
  d = w.decide();
  EXPECT_TRUE(operation_is(d, OpKind::kFence, "n3"));
  w.f(3).read_only = true;
  w.f(2).read_only = false;  // the node the recovery works on is left to it
  EXPECT_FALSE(w.decide().operation);
}

TEST(Decide, TheWinnerOfARunningFailoverIsNotFenced) {
  World w(3, must_apply_all(online_group(3), {MemberExpelled{id(1), "gone"},
                                              FailoverStarted{0, id(1)},
                                              FailoverDecided{0, id(2), "0-1-10", ""}}));
  w.node(1).answered = w.node(1).fresh = false;
  w.f(2).read_only = false;  // made writable, PrimaryElected not yet proposed
  Operation failover;
  failover.kind = OpKind::kFailOver;
  w.in_flight.running.push_back(failover);
  EXPECT_FALSE(w.decide().operation);
  w.f(3).read_only = false;
  Decision d = w.decide();
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->node, "n3");
}

TEST(Decide, SuspicionAndExpelComeFromTheDetector) {
  World w(3);
  w.seen.suspected[id(3)] = "connection refused";
  Decision d = w.step();
  ASSERT_EQ(entries_of<MemberSuspected>(d).size(), 1u);
  EXPECT_EQ(w.state.find(id(3))->state, MemberState::kUnreachable);
  w.seen.expel_due.insert(id(3));
  d = w.step();
  auto expelled = entries_of<MemberExpelled>(d);
  ASSERT_EQ(expelled.size(), 1u);
  EXPECT_EQ(expelled[0].reason, "unreachable: connection refused");
  EXPECT_FALSE(w.state.find(id(3))->in_view);
}

TEST(Decide, NoExpelWithoutAMajority) {
  World w(3);
  w.seen.suspected = {{id(2), "no answer"}, {id(3), "no answer"}};
  w.seen.expel_due = {id(2), id(3)};
  Decision d = w.step();
  EXPECT_TRUE(entries_of<MemberExpelled>(d).empty());
  bool said = false;
  for (const Note& n : d.notes) said = said || n.text.find("cannot expel") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(Decide, ReachableAgainOnlyOnceItAnswers) {
  World w(3, must_apply(online_group(3), MemberSuspected{id(2)}));
  w.node(2).answered = w.node(2).fresh = false;  // an earlier grouter suspected it; silent now
  EXPECT_TRUE(entries_of<MemberReachable>(w.step()).empty());
  w.node(2).answered = w.node(2).fresh = true;
  EXPECT_EQ(entries_of<MemberReachable>(w.step()).size(), 1u);
}

TEST(Decide, AnExpelledPrimaryStartsAFailoverRecordedFirst) {
  World w(3, must_apply_all(online_group(3), {TermBegun{4}, MemberSuspected{id(1)}}));
  w.seen.suspected[id(1)] = "connection refused";
  w.seen.expel_due.insert(id(1));
  w.node(1).answered = w.node(1).fresh = false;
  for (int n = 2; n <= 3; ++n) w.f(n).replica->io_running = "No";  // isolated already
  Decision d = w.step();
  ASSERT_EQ(d.entries.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<MemberExpelled>(d.entries[0]));
  EXPECT_EQ(std::get<FailoverStarted>(d.entries[1]), (FailoverStarted{4, id(1)}));
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->kind, OpKind::kFailOver);
  EXPECT_EQ(d.operation->term, 4u);
}

TEST(Decide, AFailoverThatWaitedReadsAgainOnlyLater) {
  World w(3, must_apply_all(online_group(3), {MemberExpelled{id(1), "gone"}}));
  w.node(1).answered = w.node(1).fresh = false;
  w.in_flight.failover_retry_at_ms = kNow + 500;
  Decision d = w.step();
  EXPECT_FALSE(d.operation);
  EXPECT_EQ(d.wake_at_ms, kNow + 500);
  w.now = kNow + 500;
  d = w.step();
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->kind, OpKind::kFailOver);
}

TEST(Decide, WithoutAMajorityTheFailoverWaitsAndSaysWhy) {
  World w(3, must_apply_all(online_group(3), {MemberSuspected{id(2)}, MemberSuspected{id(3)},
                                              MemberSuspected{id(1)}}));
  w.seen.suspected = {{id(1), ""}, {id(2), ""}, {id(3), ""}};
  w.state = must_apply(w.state, MemberExpelled{id(1), "test"});  // as an earlier majority did
  for (int n = 1; n <= 3; ++n) w.node(n).answered = w.node(n).fresh = false;
  Decision d = w.step();
  EXPECT_FALSE(d.operation);
  auto waiting = entries_of<FailoverWaiting>(d);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_NE(waiting[0].reason.find("UNREACHABLE: n2, n3"), std::string::npos) << waiting[0].reason;
}

TEST(Decide, ASuspectedPrimaryIsIsolatedOnceTheReceiversRun) {
  World w(3, must_apply(online_group(3), MemberSuspected{id(1)}));
  w.seen.suspected[id(1)] = "no answer";
  w.node(1).answered = w.node(1).fresh = false;
  Decision d = w.step();
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->kind, OpKind::kStopReceiving);
  EXPECT_EQ(d.operation->nodes, (std::vector<std::string>{"n2", "n3"}));
  for (int n = 2; n <= 3; ++n) w.f(n).replica->io_running = "No";
  d = w.step();
  EXPECT_FALSE(d.operation);  // done: the expel timer decides next
}

TEST(Decide, AWritableSecondaryIsFenced) {
  World w(3);
  w.f(3).read_only = false;
  Decision d = w.step();
  EXPECT_TRUE(operation_is(d, OpKind::kFence, "n3"));
}

TEST(Decide, ASecondaryReplicatingFromElsewhereIsRepointed) {
  World w(3);
  w.f(3).replica->source_port = 3302;
  Decision d = w.step();
  EXPECT_TRUE(operation_is(d, OpKind::kRepoint, "n3"));
  EXPECT_EQ(d.operation->source, "n1");
}

TEST(Decide, AnErrantWriteOnASecondaryIsErrorUntilTheNextTerm) {
  World w(3);
  w.step();  // baselines taken
  w.f(2).binlog_pos = pos("0-2-11");
  w.f(2).current_pos = pos("0-2-11");
  Decision d = w.step();
  auto errors = entries_of<MemberError>(d);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].errant);
  EXPECT_TRUE(w.state.find(id(2))->errant);
  EXPECT_FALSE(w.step().operation);  // not rejoined
  w.state = must_apply(w.state, TermBegun{w.state.term + 1});
  d = w.step();
  ASSERT_TRUE(d.operation);  // checked again by the rejoin's recovery
  EXPECT_EQ(d.operation->kind, OpKind::kRejoin);
}

TEST(Decide, ARestartedPrimaryLackingItsOwnWritesIsExpelled) {
  World w(3);
  w.f(1).read_only = true;  // restarted: crash recovery trimmed 0-1-11
  w.f(2).replica->received = pos("0-1-11");
  Decision d = w.step();
  auto expelled = entries_of<MemberExpelled>(d);
  ASSERT_EQ(expelled.size(), 1u);
  EXPECT_EQ(expelled[0].member_id, id(1));
  EXPECT_NE(expelled[0].reason.find("n2 holds 0-1-11"), std::string::npos) << expelled[0].reason;
}

TEST(Decide, APrimaryBackReadOnlyLeavesTheViewForTheFailoverRule) {
  World w(3);
  w.f(1).read_only = true;  // restarted: what its crash recovery trimmed is unknown
  Decision d = w.step();
  auto expelled = entries_of<MemberExpelled>(d);
  ASSERT_EQ(expelled.size(), 1u);
  EXPECT_EQ(expelled[0].member_id, id(1));
  EXPECT_NE(expelled[0].reason.find("failover rule decides"), std::string::npos);
  EXPECT_TRUE(operation_is(w.step(), OpKind::kFence, "n1"));  // its semi-sync master side is on
  w.f(1).semi_sync_master_enabled = false;
  d = w.step();
  ASSERT_EQ(entries_of<FailoverStarted>(d).size(), 1u);
  EXPECT_EQ(entries_of<FailoverStarted>(d)[0].old_primary, id(1));
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->kind, OpKind::kFailOver);
}

TEST(Decide, APrimaryThatCouldFallBackToAsyncIsGuarded) {
  World w(3);
  w.f(1).semi_sync_wait_no_slave = false;
  Decision d = w.step();
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->kind, OpKind::kGuardSemiSync);
  w.f(1).semi_sync_wait_no_slave = true;
  w.f(1).semi_sync_master_enabled = false;
  EXPECT_EQ(w.step().operation->kind, OpKind::kGuardSemiSync);
}

// A member out of the view (ERROR), answering and meeting the requirements.
World returning(uint32_t failed_rejoins) {
  GroupState s = must_apply(online_group(3), MemberExpelled{id(3), "gone"});
  for (uint32_t i = 0; i < failed_rejoins; ++i) {
    s = must_apply_all(s, {MemberJoined{id(3)}, MemberError{id(3), "recovery failed", false, true}});
  }
  return World(3, s);
}

TEST(Decide, AReturningMemberRejoinsFromAnOnlineDonor) {
  World w = returning(0);
  Decision d = w.step();
  EXPECT_TRUE(operation_is(d, OpKind::kRejoin, "n3"));
  EXPECT_TRUE(d.operation->source == "n1" || d.operation->source == "n2") << d.operation->source;
}

TEST(Decide, RejoinsStopAfterAutorejoinTriesFailures) {
  World w = returning(4);
  w.config.autorejoin_tries = 3;
  EXPECT_EQ(w.state.find(id(3))->rejoin_failures, 4u);
  EXPECT_FALSE(w.step().operation);
  World within = returning(3);
  within.config.autorejoin_tries = 3;
  EXPECT_TRUE(within.step().operation);
}

// n3 RECOVERING from donor n2 toward 0-1-20, on attempt ATTEMPTS.
World recovering(uint32_t attempts) {
  GroupState s = must_apply_all(online_group(3), {MemberExpelled{id(3), "gone"}, MemberJoined{id(3)}});
  for (uint32_t i = 1; i < attempts; ++i) {
    s = must_apply_all(s, {RecoveryStarted{id(3), id(2), "0-1-20", 1},
                           RecoveryFailed{id(3), "error", false}});
  }
  s = must_apply(s, RecoveryStarted{id(3), id(2), "0-1-20", static_cast<uint64_t>(kNow - 3000)});
  World w(3, s);
  w.f(3) = replica_of(3, 2, "0-1-15");
  return w;
}

TEST(Decide, ARecoveringMemberWithoutAnAttemptStartsOne) {
  World w(3, must_apply_all(online_group(3), {MemberExpelled{id(3), "gone"}, MemberJoined{id(3)}}));
  Decision d = w.step();
  EXPECT_TRUE(operation_is(d, OpKind::kRecover, "n3"));
}

TEST(Decide, RecoveryGoesOnUntilTheTargetThenOnline) {
  World w = recovering(1);
  EXPECT_FALSE(w.step().operation);  // still catching up
  w.f(3) = replica_of(3, 2, "0-1-20");
  Decision d = w.step();
  // Caught up from a secondary: it replicates from the primary before it is ONLINE.
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->kind, OpKind::kFinishRecovery);
  EXPECT_EQ(d.operation->source, "n1");
}

TEST(Decide, RecoveryFromThePrimaryEndsOnline) {
  GroupState s = must_apply_all(online_group(3), {MemberExpelled{id(3), "gone"}, MemberJoined{id(3)},
                                                  RecoveryStarted{id(3), id(1), "0-1-10", 1}});
  World w(3, s);
  Decision d = w.step();
  ASSERT_EQ(entries_of<MemberOnline>(d).size(), 1u);
  EXPECT_FALSE(w.state.find(id(3))->recovery);
  EXPECT_EQ(w.state.find(id(3))->rejoin_failures, 0u);
}

TEST(Decide, AFailedAttemptIsRecordedAndTheNextDonorTried) {
  World w = recovering(1);
  w.f(3).replica->io_running = "No";
  w.f(3).replica->last_io_errno = 1236;
  w.f(3).replica->last_io_error = "binlog purged";
  Decision d = w.step();
  auto failed = entries_of<RecoveryFailed>(d);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_TRUE(failed[0].missing_binlogs);
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->kind, OpKind::kRecover);
  EXPECT_EQ(d.operation->source, "n1");  // n2 was tried in this round
}

TEST(Decide, RecoveryGivesUpAfterRecoveryRetryCount) {
  World w = recovering(3);
  w.config.recovery_retry_count = 3;
  w.f(3).replica->sql_running = false;
  w.f(3).replica->last_sql_errno = 1062;
  Decision d = w.step();
  auto errors = entries_of<MemberError>(d);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].recovery_failed);
  EXPECT_NE(errors[0].reason.find("after 3 attempt(s)"), std::string::npos) << errors[0].reason;
  EXPECT_EQ(w.state.find(id(3))->rejoin_failures, 1u);
  EXPECT_FALSE(w.state.find(id(3))->in_view);
}

TEST(Decide, EveryDonorTriedPausesTheRoundDurably) {
  World w = recovering(1);
  w.config.recovery_reconnect_interval_ms = 60000;
  w.state = must_apply_all(w.state, {RecoveryFailed{id(3), "error", false},
                                     RecoveryStarted{id(3), id(1), "0-1-20", 1}});
  w.f(3).replica->source_port = 3301;
  w.f(3).replica->io_running = "No";
  w.f(3).replica->last_io_errno = 2003;
  Decision d = w.step();
  ASSERT_EQ(entries_of<RecoveryPaused>(d).size(), 1u);
  EXPECT_FALSE(d.operation);
  EXPECT_EQ(d.wake_at_ms, kNow + 60000);
  w.now = kNow + 59999;
  EXPECT_FALSE(w.step().operation);
  w.now = kNow + 60000;
  Decision later = w.step();
  ASSERT_TRUE(later.operation);
  EXPECT_EQ(later.operation->kind, OpKind::kRecover);
}

TEST(Decide, AReceiverFailingToConnectForTheSuspicionTimeoutFailsTheAttempt) {
  World w = recovering(1);
  w.f(3).replica->io_running = "Connecting";
  w.f(3).replica->last_io_errno = 2003;
  w.node(3).receiver_failing_since_ms = kNow - 4999;
  EXPECT_TRUE(entries_of<RecoveryFailed>(w.step()).empty());
  w.node(3).receiver_failing_since_ms = kNow - 5000;
  EXPECT_EQ(entries_of<RecoveryFailed>(w.step()).size(), 1u);
}

TEST(Decide, OperationsCarryTheTerm) {
  World w(3, must_apply(online_group(3), TermBegun{9}));
  w.f(2).read_only = false;
  Decision d = w.step();
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->term, 9u);
}

TEST(Decide, TheSameInputsGiveTheSameDecision) {
  World a = returning(0);
  World b = returning(0);
  Decision da = a.decide(42);
  Decision db = b.decide(42);
  EXPECT_EQ(da.entries, db.entries);
  EXPECT_EQ(da.operation, db.operation);
}

TEST(Decide, BootstrapWaitsForAMajorityThenRecordsTheGroupAndATerm) {
  World w(3, GroupState{});
  w.config.bootstrap_group = true;
  w.node(2).answered = w.node(3).answered = false;
  EXPECT_TRUE(w.step().entries.empty());
  w.node(2).answered = true;
  Decision d = w.step();
  ASSERT_GE(d.entries.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<Bootstrap>(d.entries[0]));
  EXPECT_EQ(std::get<TermBegun>(d.entries[1]).term, 1u);
}

TEST(RouteAccess, ExitStateActionAfterTheTimeout) {
  World w(3);
  w.config.unreachable_majority_timeout_ms = 10000;
  w.config.exit_action = ExitAction::kReadOnly;
  w.seen.no_majority_since_ms = kNow - 9999;
  EXPECT_EQ(route_access(w.config, w.state, w.seen, false, kNow), RouteAccess::kAll);
  w.seen.no_majority_since_ms = kNow - 10000;
  EXPECT_EQ(route_access(w.config, w.state, w.seen, false, kNow), RouteAccess::kNoPrimary);
  w.config.exit_action = ExitAction::kOfflineMode;
  EXPECT_EQ(route_access(w.config, w.state, w.seen, false, kNow), RouteAccess::kNone);
  w.seen.no_majority_since_ms = 0;
  EXPECT_EQ(route_access(w.config, w.state, w.seen, true, kNow), RouteAccess::kNoPrimary);
}

}  // namespace
}  // namespace grouter::metadata

namespace grouter::metadata {
namespace {

TEST(DecideOperator, ARequestedStopOfASecondaryIsRecordedThenItsReceiverStopped) {
  World w(3);
  w.step();  // baselines
  w.seen.stop_requested.insert(id(3));
  Decision d = w.step();
  ASSERT_EQ(entries_of<MemberStopped>(d).size(), 1u);
  EXPECT_EQ(entries_of<MemberStopped>(d)[0].member_id, id(3));
  EXPECT_TRUE(w.state.find(id(3))->stopped);
  // Its receiver still runs: stopped next, and it is never rejoined.
  w.seen.stop_requested.clear();
  Decision next = w.step();
  ASSERT_TRUE(next.operation);
  EXPECT_EQ(next.operation->kind, OpKind::kStopReceiving);
  EXPECT_EQ(next.operation->nodes, std::vector<std::string>{"n3"});
  w.f(3).replica->io_running = "No";
  Decision after = w.step();
  EXPECT_FALSE(after.operation) << after.operation->describe();
}

TEST(DecideOperator, AStopThatIsRefusedNowIsNotRecorded) {
  World w(3);
  w.step();
  w.state = must_apply(w.state, MemberSuspected{id(2)});
  w.seen.suspected[id(2)] = "hung";
  w.seen.stop_requested.insert(id(3));  // {n1, n2} would have no reachable majority
  Decision d = w.step();
  EXPECT_TRUE(entries_of<MemberStopped>(d).empty());
  EXPECT_FALSE(w.state.find(id(3))->stopped);
}

TEST(DecideOperator, ThePrimaryIsNeverStoppedByDecide) {
  World w(3);
  w.step();
  w.seen.stop_requested.insert(id(1));
  Decision d = w.step();
  EXPECT_TRUE(entries_of<MemberStopped>(d).empty());
}

TEST(DecideOperator, AStartedMemberRejoins) {
  World w(3, must_apply(online_group(3), MemberStopped{id(3), "stopped"}));
  w.f(3).replica->io_running = "No";
  w.step();
  EXPECT_FALSE(w.step().operation);  // stopped: stays out
  w.state = must_apply(w.state, MemberStarted{id(3)});
  EXPECT_TRUE(operation_is(w.step(), OpKind::kRejoin, "n3"));
}

TEST(DecideOperator, StartOnBootOffWaitsForTheOperatorsBootstrap) {
  World w(3, GroupState{});
  w.config.bootstrap_group = true;
  w.config.start_on_boot = false;
  Decision waiting = w.step();
  EXPECT_TRUE(waiting.entries.empty());
  ASSERT_FALSE(waiting.notes.empty());
  EXPECT_NE(waiting.notes[0].text.find("start_on_boot=OFF"), std::string::npos);
  // The operator bootstraps on n2: the group, a term, the others stopped, n2 forms it.
  w.seen.bootstrap_with = "n2";
  w.f(2).replica.reset();
  Decision d = w.step();
  ASSERT_GE(d.entries.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<Bootstrap>(d.entries[0]));
  EXPECT_TRUE(std::holds_alternative<TermBegun>(d.entries[1]));
  const auto stopped = entries_of<MemberStopped>(d);
  ASSERT_EQ(stopped.size(), 2u);
  EXPECT_TRUE(operation_is(d, OpKind::kFormGroup, "n2"));
  EXPECT_TRUE(w.state.members[0].stopped);
  EXPECT_FALSE(w.state.members[1].stopped);
}

TEST(DecideOperator, BootstrapWithStartOnBootOnLetsTheOthersJoin) {
  World w(3, GroupState{});
  w.seen.bootstrap_with = "n1";  // bootstrap_group=OFF in the file: the operator's bootstrap
  Decision d = w.step();
  EXPECT_TRUE(entries_of<MemberStopped>(d).empty());
  EXPECT_TRUE(operation_is(d, OpKind::kFormGroup, "n1"));
}

TEST(DecideOperator, AStoppedNodeIsNoCandidateWhenTheGroupIsFormedAgain) {
  // Every member out of the view; n1 stopped: the group forms over n2 and n3 only.
  GroupState s = must_apply_all(online_group(3),
                                {MemberStopped{id(3), "x"}, MemberStopped{id(2), "y"}});
  s = must_apply(s, MemberExpelled{id(1), "gone"});
  s = must_apply(s, MemberStarted{id(2)});
  s = must_apply(s, MemberStarted{id(3)});
  s = must_apply(s, MemberStopped{id(1), "stopped"});
  World w(3, s);
  w.f(1).read_only = false;
  Decision d = w.step();
  ASSERT_TRUE(d.operation);
  EXPECT_EQ(d.operation->kind, OpKind::kFormGroup);
  EXPECT_NE(d.operation->node, "n1");
}

}  // namespace
}  // namespace grouter::metadata
