// Answers that come later: an AsyncHandler receives the Request and a Responder, and calls the
// Responder once, now or on a later loop iteration, with the Response. The connection keeps the
// request's place in its pipeline until then, so answers still leave in request order.
// A streamed answer (Server-Sent Events) is a head now and a body sent piece by piece through a
// ResponseStream for as long as the connection lasts: it is the connection's last answer.
//
// Threading: a Responder is called, copied and destroyed on the server loop's thread only.
// Lifetime: a Responder never owns the connection. Copies share one answer: the first call is
// sent, later calls do nothing. Calling it after the client connection or the server closed (or
// after the server was destroyed) does nothing. When the last copy is destroyed without a call
// while the client still waits, the request is answered 500, so a forgotten request cannot stall
// the requests pipelined behind it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "router/http/http_types.h"

namespace grouter::http {

// The body of a streamed answer, as its handler sees it. The head goes out with "Connection:
// close" and no Content-Length: the body ends when the connection does. Bytes sent before the
// answers ahead of it in the pipeline are written wait (bounded the same way) and follow the head.
// Loop thread only; the handle may outlive the connection (then it is closed and sends nothing).
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues BYTES after those sent before. False, and nothing queued, when the stream is closed or
  // when BYTES would take the bytes queued and not yet written past Limits::max_stream_queue_bytes
  // (a client that does not read).
  virtual bool send(std::string_view bytes) = 0;
  // Bytes queued and not yet written to the socket.
  [[nodiscard]] virtual std::size_t queued_bytes() const = 0;
  // False once the client went, the server closed, or close() was called.
  [[nodiscard]] virtual bool is_open() const = 0;
  // Ends the stream and its connection now (what is queued is dropped). Safe when closed.
  virtual void close() = 0;
};

// The connection's place for one request's answer; owned by the connection until the answer is
// written or the connection closes.
class ResponseSlot {
 public:
  // Takes the answer; the first call counts.
  virtual void fill(Response response) = 0;
  // Takes a streamed answer (HEAD's status, content type and extra headers; its body is ignored):
  // the stream, or nullptr when an answer was taken already or streams are not served here.
  virtual std::shared_ptr<ResponseStream> fill_stream(Response head) {
    (void)head;
    return nullptr;
  }

 protected:
  ~ResponseSlot() = default;
};

class Responder {
 public:
  explicit Responder(std::weak_ptr<ResponseSlot> slot);

  // Answers the request with `response` (the first call on any copy; later calls do nothing).
  void operator()(Response response) const;
  // Answers with a stream (ResponseStream): HEAD now, the body as it is sent. Counts as the call
  // above; nullptr when the request is answered already or the connection is gone. A HEAD request
  // gets the head alone: the stream it returns is closed.
  [[nodiscard]] std::shared_ptr<ResponseStream> stream(Response head) const;
  // True while nothing has answered yet and the connection is still open for this answer.
  [[nodiscard]] bool waiting() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;  // null only in a moved-from Responder
};

using AsyncHandler = std::function<void(const Request&, Responder)>;

}  // namespace grouter::http
