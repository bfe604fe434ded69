// The random fault schedule (chaos.h).
#include "tests/sim/chaos.h"

namespace grouter::sim {

void Chaos::schedule() {
  if (stopped_) return;
  sim_.scheduler().after(sim_.dice().range(300, 4000), [this] {
    if (stopped_) return;
    inject();
    schedule();
  });
}

size_t Chaos::victim() {
  Dice& dice = sim_.dice();
  const auto p = sim_.driver().primary_index();
  if (p && dice.chance(50)) return *p;
  return dice.pick(sim_.cluster().size());
}

size_t Chaos::nodes_down() const {
  size_t down = 0;
  for (size_t i = 0; i < sim_.cluster().size(); ++i) {
    down += sim_.cluster().node(i).process != Process::kRunning ? 1 : 0;
  }
  return down;
}

void Chaos::down(size_t i, bool kill) {
  Dice& dice = sim_.dice();
  if (sim_.cluster().node(i).process != Process::kRunning) return;
  if (kill) {
    sim_.kill(i);
    sim_.scheduler().after(dice.range(200, 8000), [this, i] { sim_.restart(i); });
  } else {
    sim_.hang(i);
    sim_.scheduler().after(dice.range(300, 15000), [this, i] { sim_.resume(i); });
  }
}

void Chaos::cut_link() {
  Dice& dice = sim_.dice();
  const size_t n = sim_.cluster().size();
  const size_t a = dice.pick(n);
  size_t b = dice.chance(30) ? kGrouter : dice.pick(n);
  if (a == b) b = (a + 1) % n;
  sim_.cut(a, b);
  sim_.scheduler().after(dice.range(300, 10000), [this, a, b] { sim_.heal(a, b); });
}

void Chaos::two_at_once() {
  Dice& dice = sim_.dice();
  const size_t n = sim_.cluster().size();
  const size_t first = victim();
  const size_t second = (first + 1 + dice.pick(n - 1)) % n;
  down(first, dice.chance(60));
  down(second, dice.chance(50));
}

void Chaos::operate() {
  Dice& dice = sim_.dice();
  Driver& driver = sim_.driver();
  const size_t n = sim_.cluster().size();
  const int64_t roll = dice.range(0, 99);
  if (roll < 40) {
    driver.operator_stop(victim());
  } else if (roll < 70) {
    for (size_t k = 0, i = dice.pick(n); k < n; ++k, i = (i + 1) % n) {
      if (driver.state().members[i].stopped) {
        driver.operator_start(i);
        break;
      }
    }
  } else {
    static const char* const kOptions[][2] = {
        {"member_expel_timeout", "0"},  {"member_expel_timeout", "1"},
        {"member_expel_timeout", "5"},  {"member_expel_timeout", "12"},
        {"recovery_retry_count", "1"},  {"recovery_retry_count", "10"},
        {"autorejoin_tries", "0"},      {"autorejoin_tries", "3"},
        {"recovery_reconnect_interval", "1"}, {"recovery_reconnect_interval", "20"},
        {"consistency", "EVENTUAL"},    {"consistency", "BEFORE_ON_PRIMARY_FAILOVER"},
        {"member_weight", "0"},         {"member_weight", "90"},
    };
    const auto& o = kOptions[dice.pick(std::size(kOptions))];
    driver.operator_set_option(o[0], o[1], dice.pick(n));
  }
}

void Chaos::inject() {
  Dice& dice = sim_.dice();
  if (dice.chance(20)) {  // the operator, besides the faults
    operate();
    return;
  }
  const int64_t roll = dice.range(0, 99);
  const size_t n = sim_.cluster().size();
  if (roll < 28) {
    if (nodes_down() < 2) down(victim(), true);
  } else if (roll < 45) {
    if (nodes_down() < 2) down(victim(), false);
  } else if (roll < 62) {
    cut_link();
  } else if (roll < 70) {
    sim_.grouter_crash();
    sim_.scheduler().after(dice.range(50, 3000), [this] { sim_.grouter_restart(); });
  } else if (roll < 82) {
    if (nodes_down() == 0) two_at_once();
  } else if (roll < 90) {
    const size_t i = dice.pick(n);
    sim_.set_apply_ms(i, dice.range(10, 60));
    sim_.scheduler().after(dice.range(1000, 20000), [this, i] { sim_.set_apply_ms(i, 2); });
  } else {
    for (size_t i = 0; i < n; ++i) {
      const auto& m = sim_.driver().state().members[i];
      if (m.state == metadata::MemberState::kError &&
          sim_.cluster().node(i).process == Process::kRunning) {
        sim_.reclone(i);
        break;
      }
    }
  }
}

void Chaos::heal_all() {
  const size_t n = sim_.cluster().size();
  for (size_t i = 0; i < n; ++i) {
    sim_.restart(i);
    sim_.resume(i);
    if (sim_.cluster().node(i).apply_ms > 2) sim_.set_apply_ms(i, 2);
    sim_.heal(i, kGrouter);
    for (size_t j = i + 1; j < n; ++j) sim_.heal(i, j);
  }
  sim_.grouter_restart();
  heal_group(0);
}

void Chaos::heal_group(int round) {
  // The operator starts what it stopped (bootstrapping first if nobody is left in the view),
  // every 2 s while the world settles.
  if (round >= 10) return;
  sim_.scheduler().after(round == 0 ? 1000 : 2000, [this, round] {
    sim_.driver().operator_heal();
    heal_group(round + 1);
  });
}

}  // namespace grouter::sim
