// The MariaDB model's relay-log rules (a)–(e) and one-ack semi-sync (mariadb_model.h), each as
// measured on MariaDB 10.11.
#include "tests/sim/mariadb_model.h"

#include <gtest/gtest.h>

#include <vector>

namespace grouter::sim {
namespace {

class ModelTest : public ::testing::Test {
 protected:
  // node 0 primary, the others replicating from it; node 1 applies slowly.
  void SetUp() override {
    cluster_.node(0).read_only = false;
    cluster_.node(0).semi_sync_master = true;
    for (size_t i = 1; i < cluster_.size(); ++i) {
      cluster_.change_master(i, 0);
      cluster_.start_replica(i);
    }
    cluster_.node(1).apply_ms = 1000;
  }

  void run_for(int64_t ms) {
    const int64_t end_ms = scheduler_.now_ms() + ms;
    while (scheduler_.pending() > 0 && scheduler_.next_time_ms() <= end_ms) scheduler_.step();
  }

  // Commits `count` writes on node 0 one after another (each waits for its ack up to 100 ms).
  void write(int count) {
    for (int k = 0; k < count; ++k) {
      cluster_.client_commit(0, next_id_++,
                             [this](CommitOutcome o, Gtid) { outcomes_.push_back(o); });
      run_for(10);
    }
  }

  uint64_t executed_seq(size_t i) const {
    const auto& b = cluster_.node(i).binlog;
    return b.empty() ? 0 : b.back().gtid.seq;
  }

  Scheduler scheduler_;
  Cluster cluster_{scheduler_, 3};
  uint64_t next_id_ = 1;
  std::vector<CommitOutcome> outcomes_;
};

TEST_F(ModelTest, SemiSyncAcksOnceOneReplicaReceived) {
  cluster_.cut(0, 2);  // node 2 cannot receive; node 1 receives but applies slowly
  write(1);
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0], CommitOutcome::kAcked);
  EXPECT_EQ(cluster_.node(1).relay.size(), 1u);  // received, not applied
  EXPECT_EQ(executed_seq(1), 0u);
  EXPECT_TRUE(cluster_.node(2).binlog.empty());
}

TEST_F(ModelTest, SemiSyncNeverFallsBackToAsync) {
  cluster_.cut(0, 1);
  cluster_.cut(0, 2);
  cluster_.client_commit(0, 1, [this](CommitOutcome o, Gtid) { outcomes_.push_back(o); });
  run_for(60000);
  EXPECT_TRUE(outcomes_.empty());  // still waiting for an ack
  EXPECT_EQ(executed_seq(0), 1u);  // but in the primary's binlog (AFTER_SYNC)
  cluster_.heal(0, 2);
  run_for(1000);
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0], CommitOutcome::kAcked);
}

TEST_F(ModelTest, RuleA_RestartKeepsRelayLogButNotPositionOrThreads) {
  write(5);
  ASSERT_EQ(cluster_.node(1).relay.size(), 5u);
  cluster_.crash(1);
  cluster_.restart(1);
  const NodeModel& n = cluster_.node(1);
  EXPECT_TRUE(n.io_pos.empty());
  EXPECT_EQ(n.relay.size(), 5u);
  EXPECT_EQ(n.receiver, Receiver::kStopped);
  EXPECT_FALSE(n.applier_running);
  EXPECT_TRUE(n.read_only);
  const auto facts = cluster_.facts(1);
  ASSERT_TRUE(facts.replica);
  EXPECT_EQ(facts.replica->io_running, "No");
  EXPECT_FALSE(facts.replica->sql_running);
}

TEST_F(ModelTest, RuleB_StartSlaveAfterRestartPurgesTheKeptRelayLog) {
  write(5);
  cluster_.crash(0);  // the source is gone: nothing can be refetched
  cluster_.crash(1);
  cluster_.restart(1);
  cluster_.start_replica(1);
  EXPECT_TRUE(cluster_.node(1).relay.empty());
  run_for(10000);
  EXPECT_EQ(executed_seq(1), 0u);  // the five acknowledged writes are lost on node 1
}

TEST_F(ModelTest, RuleC_ApplyKeptRelayLogAppliesIt) {
  write(5);
  cluster_.crash(0);
  cluster_.crash(1);
  cluster_.restart(1);
  cluster_.apply_kept_relay_log(1);
  EXPECT_FALSE(cluster_.node(1).use_gtid);
  run_for(10000);
  EXPECT_TRUE(cluster_.node(1).relay.empty());
  EXPECT_EQ(executed_seq(1), 5u);
}

TEST_F(ModelTest, RuleD_ChangeMasterDeletesTheRelayLog) {
  write(5);
  cluster_.change_master(1, 2);
  EXPECT_TRUE(cluster_.node(1).relay.empty());
  EXPECT_TRUE(cluster_.node(1).io_pos.empty());
  EXPECT_EQ(executed_seq(1), 0u);
}

TEST_F(ModelTest, RuleE_StopAndStartReceiverInGtidModePurges) {
  write(5);
  cluster_.stop_receiver(1);
  EXPECT_EQ(cluster_.node(1).relay.size(), 5u);  // stopping alone keeps it
  cluster_.crash(0);
  cluster_.start_replica(1);
  EXPECT_TRUE(cluster_.node(1).relay.empty());
  run_for(5000);
  EXPECT_EQ(executed_seq(1), 0u);
}

TEST_F(ModelTest, ReconnectKeepsRelayLogAndContinuesFromIoPos) {
  write(3);
  cluster_.cut(0, 1);
  run_for(100);
  EXPECT_EQ(cluster_.node(1).receiver, Receiver::kConnecting);
  cluster_.heal(0, 1);
  write(2);
  run_for(1000);
  EXPECT_EQ(cluster_.node(1).relay.size() + executed_seq(1), 5u);
}

TEST_F(ModelTest, CrashRecoveryTrimsUnacknowledgedTransactions) {
  cluster_.cut(0, 1);
  cluster_.cut(0, 2);
  cluster_.client_commit(0, 1, [this](CommitOutcome o, Gtid) { outcomes_.push_back(o); });
  run_for(10);
  cluster_.crash(0);
  run_for(10);
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0], CommitOutcome::kUncertain);
  cluster_.restart(0);
  EXPECT_EQ(executed_seq(0), 0u);
}

TEST_F(ModelTest, ReceiverAskingForAGtidTheSourceLacksStopsWith1236) {
  cluster_.node(2).binlog.push_back(Txn{Gtid{0, 3, 1}, 99, 1});  // errant on node 2
  cluster_.change_master(2, 0);
  write(2);
  cluster_.start_replica(2);
  run_for(100);
  EXPECT_EQ(cluster_.node(2).receiver, Receiver::kStopped);
  EXPECT_EQ(cluster_.node(2).last_io_errno, 1236u);
}

}  // namespace
}  // namespace grouter::sim
