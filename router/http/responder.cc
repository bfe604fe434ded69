// Responder: one shared answer over a weak reference to the connection's slot.
#include "router/http/responder.h"

#include <utility>

#include "router/http/response_writer.h"

namespace grouter::http {

struct Responder::Shared {
  explicit Shared(std::weak_ptr<ResponseSlot> s) : slot(std::move(s)) {}
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;
  ~Shared() {
    if (auto target = slot.lock()) target->fill(error_response(500));  // dropped unanswered
  }

  std::weak_ptr<ResponseSlot> slot;  // reset once answered
};

Responder::Responder(std::weak_ptr<ResponseSlot> slot)
    : shared_(std::make_shared<Shared>(std::move(slot))) {}

void Responder::operator()(Response response) const {
  if (!shared_) return;
  // The lock keeps the slot alive while fill() runs, even if the connection closes inside it.
  const std::shared_ptr<ResponseSlot> target = std::exchange(shared_->slot, {}).lock();
  if (target) target->fill(std::move(response));
}

std::shared_ptr<ResponseStream> Responder::stream(Response head) const {
  if (!shared_) return nullptr;
  const std::shared_ptr<ResponseSlot> target = std::exchange(shared_->slot, {}).lock();
  return target ? target->fill_stream(std::move(head)) : nullptr;
}

bool Responder::waiting() const {
  return shared_ && !shared_->slot.expired();
}

}  // namespace grouter::http
