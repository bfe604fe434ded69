// sd_notify calls for a Type=notify unit.
#include "router/systemd_notify.h"

#include <unistd.h>

#include <string>

#include <systemd/sd-daemon.h>

namespace grouter {

void notify_ready() {
  const std::string message = "READY=1\nMAINPID=" + std::to_string(getpid()) + "\nSTATUS=listening";
  sd_notify(0, message.c_str());  // < 0: the socket is gone; systemd's timeout will tell
}

void notify_stopping() {
  sd_notify(0, "STOPPING=1\nSTATUS=shutting down");
}

}  // namespace grouter
