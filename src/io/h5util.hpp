// Private helpers of the two HDF5 translation units (hdf5.cpp: the seal, write_sealed and the
// readers; writer.cpp: H5Writer): checked calls and owned HDF5 ids. Not installed.
#pragma once

#include <hdf5.h>

#include <string>
#include <utility>

#include "dermasim/core/error.hpp"

namespace dermasim::io::detail {

[[noreturn]] inline void fail(const std::string& what) { throw io_error(what); }

// A checked HDF5 call: a negative return value throws io_error with `what`.
template <class T>
T check(T v, const std::string& what) {
  if (v < 0) fail(what);
  return v;
}

// An owned HDF5 id, closed by its close function (H5Dclose, H5Gclose, ...) when destroyed.
class Hid {
 public:
  using Closer = herr_t (*)(hid_t);
  Hid() = default;
  Hid(hid_t id, Closer close) : id_(id), close_(close) {}
  Hid(Hid&& o) noexcept : id_(std::exchange(o.id_, -1)), close_(o.close_) {}
  Hid& operator=(Hid&& o) noexcept {
    if (this != &o) {
      (void)close();
      id_ = std::exchange(o.id_, -1);
      close_ = o.close_;
    }
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid() { (void)close(); }

  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now (once); negative if HDF5 failed to (a dataset that could not be flushed).
  herr_t close() {
    const herr_t s = id_ >= 0 ? close_(id_) : 0;
    id_ = -1;
    return s;
  }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

// The directory part of a path ("." if none).
inline std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

// The id an HDF5 call returned, owned; io_error with `what` if the call failed.
inline Hid owned(hid_t id, Hid::Closer close, const std::string& what) { return Hid(check(id, what), close); }

}  // namespace dermasim::io::detail
