// libuv status codes as std::error_code. On Unix libuv reports -errno, so the code is the system
// category's errno and compares equal to std::errc values (std::errc::address_in_use for UV_EADDRINUSE).
#pragma once

#include <system_error>

namespace grouter::http {

inline std::error_code uv_error(int status) { return {-status, std::system_category()}; }

}  // namespace grouter::http
