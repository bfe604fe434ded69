// Answers that come later: an AsyncHandler receives the Request and a Responder, and calls the
// Responder once, now or on a later loop iteration, with the Response. The connection keeps the
// request's place in its pipeline until then, so answers still leave in request order.
//
// Threading: a Responder is called, copied and destroyed on the server loop's thread only.
// Lifetime: a Responder never owns the connection. Copies share one answer: the first call is
// sent, later calls do nothing. Calling it after the client connection or the server closed (or
// after the server was destroyed) does nothing. When the last copy is destroyed without a call
// while the client still waits, the request is answered 500, so a forgotten request cannot stall
// the requests pipelined behind it.
#pragma once

#include <functional>
#include <memory>

#include "router/http/http_types.h"

namespace grouter::http {

// The connection's place for one request's answer; owned by the connection until the answer is
// written or the connection closes.
class ResponseSlot {
 public:
  // Takes the answer; the first call counts.
  virtual void fill(Response response) = 0;

 protected:
  ~ResponseSlot() = default;
};

class Responder {
 public:
  explicit Responder(std::weak_ptr<ResponseSlot> slot);

  // Answers the request with `response` (the first call on any copy; later calls do nothing).
  void operator()(Response response) const;
  // True while nothing has answered yet and the connection is still open for this answer.
  [[nodiscard]] bool waiting() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;  // null only in a moved-from Responder
};

using AsyncHandler = std::function<void(const Request&, Responder)>;

}  // namespace grouter::http
