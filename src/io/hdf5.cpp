// The seal, write_sealed and the readers of dermasim::io (H5Writer is in writer.cpp).
#include "dermasim/io/hdf5.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

#include "dermasim/core/hash.hpp"
#include "h5util.hpp"

namespace dermasim::io {
namespace {

struct Silence {  // HDF5 prints its error stack by default; we throw io_error instead
  Silence() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const Silence silence_once;

using detail::directory_of;
using detail::fail;

std::string sys_error() { return std::strerror(errno); }

constexpr char kSealMagic[] = "dermasim-seal 1\n";
constexpr char kHdf5Signature[] = "\x89HDF\r\n\x1a\n";

// FNV-1a 64 of the bytes from `offset` to the end of the open file `fd`; *n gets their count.
std::uint64_t fnv1a_file(int fd, off_t offset, std::uint64_t* n, const std::string& path) {
  std::uint64_t h = kFnv1aOffset, count = 0;
  std::vector<unsigned char> buf(1 << 20);
  for (;;) {
    const ssize_t r = ::pread(fd, buf.data(), buf.size(), offset);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail("cannot read '" + path + "': " + sys_error());
    }
    if (r == 0) break;
    h = fnv1a(buf.data(), std::size_t(r), h);
    offset += r;
    count += std::uint64_t(r);
  }
  *n = count;
  return h;
}

std::string seal_text(std::uint64_t digest, std::uint64_t n) {
  char b[128];
  std::snprintf(b, sizeof b, "%sfnv1a64 %016llx\nbytes %llu\n", kSealMagic, (unsigned long long)digest,
                (unsigned long long)n);
  std::string s(b);
  s.resize(kSealBytes, '\0');
  return s;
}

struct Fd {
  int fd;
  Fd(const std::string& path, int flags) : fd(::open(path.c_str(), flags, 0666)) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, const char* p, std::size_t n, const std::string& path) {
  for (std::size_t off = 0; off < n;) {
    const ssize_t w = ::write(fd, p + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail("cannot write '" + path + "': " + sys_error());
    off += std::size_t(w);
  }
}

}  // namespace

void write_sealed(const std::string& path, const void* image, std::size_t n) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  try {
    if (n < 8 || std::memcmp(image, kHdf5Signature, 8) != 0) fail("the data is not an HDF5 file image");
    const std::string seal = seal_text(fnv1a(image, n), n);
    {
      Fd f(tmp, O_WRONLY | O_CREAT | O_TRUNC);
      if (f.fd < 0) fail("cannot create '" + tmp + "': " + sys_error());
      write_all(f.fd, seal.data(), seal.size(), tmp);
      write_all(f.fd, static_cast<const char*>(image), n, tmp);
      if (::fsync(f.fd) != 0) fail("cannot sync '" + tmp + "' to disk: " + sys_error());
      const int fd = f.fd;
      f.fd = -1;
      if (::close(fd) != 0) fail("cannot close '" + tmp + "': " + sys_error());
    }
    (void)verify_seal(tmp);  // read back: what is on disk is what was sealed
    if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename '" + tmp + "' onto it: " + sys_error());
  } catch (const io_error& e) {
    std::remove(tmp.c_str());
    fail("cannot write '" + path + "': " + e.what() + " (the previous file, if any, is unchanged)");
  }
  // the file is complete and in place; the durability of the directory entry is best effort
  Fd d(directory_of(path), O_RDONLY | O_DIRECTORY);
  if (d.fd >= 0) (void)::fsync(d.fd);
}

std::string verify_seal(const std::string& path) {
  Fd f(path, O_RDONLY);
  if (f.fd < 0) fail("cannot open '" + path + "': " + sys_error());
  std::string block(kSealBytes, '\0');
  const ssize_t r = ::pread(f.fd, block.data(), kSealBytes, 0);
  if (r >= 8 && std::memcmp(block.data(), kHdf5Signature, 8) == 0) return "unsealed";
  if (r != ssize_t(kSealBytes) || block.compare(0, sizeof(kSealMagic) - 1, kSealMagic) != 0)
    fail("'" + path + "' is not an HDF5 file, or its dermasim seal is damaged (corrupt)");
  unsigned long long digest = 0, n = 0;
  if (std::sscanf(block.c_str() + sizeof(kSealMagic) - 1, "fnv1a64 %16llx\nbytes %llu\n", &digest, &n) != 2 ||
      seal_text(digest, n) != block)
    fail("'" + path + "' is corrupt: its seal block is damaged");
  std::uint64_t count = 0;
  const std::uint64_t h = fnv1a_file(f.fd, off_t(kSealBytes), &count, path);
  if (count != n)
    fail("'" + path + "' is corrupt: " + std::to_string(count) + " bytes after the seal, the seal says " +
         std::to_string(n) + " (truncated or appended to)");
  if (h != digest) fail("'" + path + "' is corrupt: its content does not match its seal (checksum mismatch)");
  return "sealed";
}

namespace {
struct File {
  hid_t id;
  explicit File(const std::string& path) {
    if (access(path.c_str(), R_OK) != 0) fail("cannot open '" + path + "': no such readable file");
    (void)verify_seal(path);
    if (H5Fis_hdf5(path.c_str()) <= 0) fail("'" + path + "' is not an HDF5 file (or is corrupt)");
    id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) fail("cannot open HDF5 file '" + path + "' (corrupt?)");
  }
  ~File() { H5Fclose(id); }
};
}  // namespace

std::vector<double> read_array(const std::string& path, const std::string& dataset,
                               std::vector<std::size_t>* dims) {
  File f(path);
  if (H5Lexists(f.id, dataset.c_str(), H5P_DEFAULT) <= 0)
    fail("'" + path + "' has no dataset '" + dataset + "'");
  hid_t ds = H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT);
  if (ds < 0) fail("cannot open dataset '" + dataset + "' in '" + path + "'");
  hid_t sp = H5Dget_space(ds);
  int nd = H5Sget_simple_extent_ndims(sp);
  std::vector<hsize_t> d(std::max(nd, 0));
  H5Sget_simple_extent_dims(sp, d.data(), nullptr);
  std::size_t n = 1;
  for (auto v : d) n *= v;
  std::vector<double> out(n);
  herr_t st = n ? H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) : 0;
  H5Sclose(sp);
  H5Dclose(ds);
  if (st < 0) fail("cannot read dataset '" + dataset + "' in '" + path + "' (corrupt?)");
  if (dims) dims->assign(d.begin(), d.end());
  return out;
}

namespace {
// The attribute `key` of `object` ("/": the root) in the open file `f`.
detail::Hid open_attribute(const File& f, const std::string& path, const std::string& object,
                           const std::string& key) {
  const std::string where = object == "/" ? "" : " of '" + object + "'";
  if (object != "/" && H5Lexists(f.id, object.c_str(), H5P_DEFAULT) <= 0)
    fail("'" + path + "' has no object '" + object + "'");
  if (H5Aexists_by_name(f.id, object.c_str(), key.c_str(), H5P_DEFAULT) <= 0)
    fail("'" + path + "' has no attribute '" + key + "'" + where);
  return detail::owned(H5Aopen_by_name(f.id, object.c_str(), key.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                       "cannot open attribute '" + key + "'" + where + " in '" + path + "' (corrupt?)");
}
}  // namespace

std::string read_string_attribute(const std::string& path, const std::string& key, const std::string& object) {
  File f(path);
  const detail::Hid a = open_attribute(f, path, object, key);
  const detail::Hid t(H5Aget_type(a), H5Tclose);
  if (H5Tget_class(t) != H5T_STRING) fail("attribute '" + key + "' in '" + path + "' is not a string");
  const std::string unreadable = "cannot read attribute '" + key + "' in '" + path + "' (corrupt?)";
  if (H5Tis_variable_str(t) > 0) {
    char* buf = nullptr;
    const detail::Hid mt(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mt, H5T_VARIABLE);
    const herr_t st = H5Aread(a, mt, &buf);
    std::string out = st >= 0 && buf ? buf : "";
    if (buf) H5free_memory(buf);
    if (st < 0) fail(unreadable);
    return out;
  }
  std::string buf(H5Tget_size(t), '\0');
  if (H5Aread(a, t, buf.data()) < 0) fail(unreadable);
  return buf.c_str();
}

std::int64_t read_integer_attribute(const std::string& path, const std::string& key, const std::string& object) {
  File f(path);
  const detail::Hid a = open_attribute(f, path, object, key);
  const detail::Hid t(H5Aget_type(a), H5Tclose), s(H5Aget_space(a), H5Sclose);
  if (H5Tget_class(t) != H5T_INTEGER || H5Sget_simple_extent_npoints(s) != 1)
    fail("attribute '" + key + "' in '" + path + "' is not an integer");
  std::int64_t v = 0;
  if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0) fail("cannot read attribute '" + key + "' in '" + path + "' (corrupt?)");
  return v;
}

std::vector<std::string> read_strings(const std::string& path, const std::string& dataset) {
  File f(path);
  if (H5Lexists(f.id, dataset.c_str(), H5P_DEFAULT) <= 0) fail("'" + path + "' has no dataset '" + dataset + "'");
  const std::string unreadable = "cannot read dataset '" + dataset + "' in '" + path + "' (corrupt?)";
  const detail::Hid ds = detail::owned(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), H5Dclose, unreadable);
  const detail::Hid t(H5Dget_type(ds), H5Tclose), s(H5Dget_space(ds), H5Sclose);
  if (H5Tget_class(t) != H5T_STRING || H5Tis_variable_str(t) <= 0 || H5Sget_simple_extent_ndims(s) != 1)
    fail("dataset '" + dataset + "' in '" + path + "' is not a 1-D dataset of variable-length strings");
  std::vector<char*> p(std::size_t(H5Sget_simple_extent_npoints(s)), nullptr);
  const detail::Hid mt(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mt, H5T_VARIABLE);
  H5Tset_cset(mt, H5Tget_cset(t));
  if (!p.empty() && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()) < 0) fail(unreadable);
  std::vector<std::string> out;
  out.reserve(p.size());
  for (char* c : p) {
    out.emplace_back(c ? c : "");
    H5free_memory(c);
  }
  return out;
}

std::vector<std::string> list_group(const std::string& path, const std::string& group) {
  File f(path);
  if (H5Lexists(f.id, group.c_str(), H5P_DEFAULT) <= 0) return {};
  hid_t g = H5Gopen2(f.id, group.c_str(), H5P_DEFAULT);
  if (g < 0) fail("cannot open group '" + group + "' in '" + path + "' (corrupt?)");
  H5G_info_t info;
  if (H5Gget_info(g, &info) < 0) {
    H5Gclose(g);
    fail("cannot list group '" + group + "' in '" + path + "' (corrupt?)");
  }
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0) {
      H5Gclose(g);
      fail("cannot list group '" + group + "' in '" + path + "' (corrupt?)");
    }
    std::string s(std::size_t(n) + 1, '\0');
    H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size(), H5P_DEFAULT);
    s.resize(std::size_t(n));
    names.push_back(s);
  }
  H5Gclose(g);
  return names;
}

}  // namespace dermasim::io
