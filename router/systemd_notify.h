// Tells systemd how the service is doing (a unit with Type=notify), through libsystemd's sd_notify.
// Each call does nothing when grouter was not started by systemd (no NOTIFY_SOCKET in the
// environment). Called from the control loop's thread.
#pragma once

namespace grouter {

// READY=1 (with MAINPID and a STATUS line): start-up is complete, every listener listens.
void notify_ready();

// STOPPING=1: shutdown has begun.
void notify_stopping();

}  // namespace grouter
