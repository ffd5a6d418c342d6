// HDF5 I/O bodies (the only translation unit that includes hdf5.h).
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

namespace dermasim::io {
namespace {

struct Silence {  // HDF5 prints its error stack by default; we throw io_error instead
  Silence() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const Silence silence_once;

[[noreturn]] void fail(const std::string& what) { throw io_error(what); }

// A checked HDF5 call: a negative return value throws io_error with `what`.
template <class T>
T check(T v, const std::string& what) {
  if (v < 0) fail(what);
  return v;
}

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

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

hid_t ensure_groups(hid_t file, const std::string& name) {
  // create intermediate groups of "a/b/c" (c is the dataset)
  std::size_t pos = 1;
  while ((pos = name.find('/', pos)) != std::string::npos) {
    std::string g = name.substr(0, pos);
    if (H5Lexists(file, g.c_str(), H5P_DEFAULT) <= 0) {
      hid_t gid = H5Gcreate2(file, g.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (gid < 0) fail("cannot create HDF5 group '" + g + "'");
      H5Gclose(gid);
    }
    ++pos;
  }
  return file;
}

}  // namespace

struct H5Writer::Impl {
  hid_t file = -1;
  hsize_t nsnap = 0;
  std::map<std::string, hid_t> fields;
  hid_t times = -1;
  void close_all() {  // errors ignored: only after a failure, or in the destructor
    for (auto& [n, d] : fields) H5Dclose(d);
    fields.clear();
    if (times >= 0) H5Dclose(times);
    times = -1;
    if (file >= 0) H5Fclose(file);
    file = -1;
  }
};

// The end of a writer's failing call: drop the in-memory file and throw io_error naming the
// final path.
void H5Writer::abandon(const std::string& what) {
  impl_->close_all();
  fail(what.find("'" + path_ + "'") != std::string::npos ? what : "cannot write '" + path_ + "': " + what);
}

H5Writer::H5Writer(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
  if (path.empty()) throw invalid_argument("output path is empty");
  const std::string dir = directory_of(path);
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail("cannot write '" + path + "': directory '" + dir + "' is not writable: " + sys_error());
  static unsigned long long counter = 0;
  const std::string mem = "dermasim-memory-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
  const bool ok = fcpl >= 0 && fapl >= 0 && H5Pset_userblock(fcpl, kSealBytes) >= 0 &&
                  H5Pset_fapl_core(fapl, 1 << 20, 0) >= 0;
  impl_->file = ok ? H5Fcreate(mem.c_str(), H5F_ACC_TRUNC, fcpl, fapl) : -1;
  if (fcpl >= 0) H5Pclose(fcpl);
  if (fapl >= 0) H5Pclose(fapl);
  if (impl_->file < 0) fail("cannot create the in-memory HDF5 file for '" + path + "'");
}

H5Writer::~H5Writer() {
  if (impl_) impl_->close_all();
}

void H5Writer::write_array(const std::string& name0, const std::vector<double>& data,
                           const std::vector<std::size_t>& dims) {
  std::string name = name0.empty() || name0[0] != '/' ? "/" + name0 : name0;
  std::size_t n = 1;
  std::vector<hsize_t> hd(dims.begin(), dims.end());
  for (auto d : dims) n *= d;
  if (n != data.size())
    throw invalid_argument("write_array('" + name + "'): dims give " + std::to_string(n) +
                           " values, data has " + std::to_string(data.size()));
  try {
    ensure_groups(impl_->file, name);
    hid_t space = check(H5Screate_simple(int(hd.size()), hd.data(), nullptr), "cannot create a dataspace");
    hid_t ds = H5Dcreate2(impl_->file, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT,
                          H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    check(ds, "cannot create dataset '" + name + "'");
    const herr_t w = n > 0 ? H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) : 0;
    const herr_t c = H5Dclose(ds);
    check(w < 0 ? w : c, "cannot write dataset '" + name + "'");
  } catch (const io_error& e) {
    abandon(e.what());
  }
}

void H5Writer::write_grid(const Grid& g) {
  std::vector<double> x(g.nx()), y(g.ny());
  for (int i = 0; i < g.nx(); ++i) x[i] = g.x_centre(i);
  for (int j = 0; j < g.ny(); ++j) y[j] = g.y_centre(j);
  write_array("/grid/x", x, {x.size()});
  write_array("/grid/y", y, {y.size()});
  write_array("/grid/z", g.z_centres(), {g.z_centres().size()});
  write_array("/grid/z_faces", g.z_faces(), {g.z_faces().size()});
}

namespace {
// Extends a chunked dataset along its first axis by one record and writes `data` there.
void append_record(hid_t ds, int rank, const hsize_t* record, hsize_t k, const void* data, const std::string& what) {
  hsize_t nd[4] = {k + 1, 0, 0, 0}, start[4] = {k, 0, 0, 0}, count[4] = {1, 0, 0, 0};
  for (int r = 1; r < rank; ++r) nd[r] = count[r] = record[r];
  check(H5Dset_extent(ds, nd), "cannot extend " + what);
  hid_t fs = check(H5Dget_space(ds), "cannot get the dataspace of " + what);
  hid_t ms = H5Screate_simple(rank, count, nullptr);
  herr_t st = ms < 0 ? -1 : H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, count, nullptr);
  if (st >= 0) st = H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, data);
  if (ms >= 0) H5Sclose(ms);
  H5Sclose(fs);
  check(st, "cannot append to " + what);
}

hid_t create_extendable(hid_t file, const std::string& name, int rank, const hsize_t* record, bool compress) {
  hsize_t d[4] = {0, 0, 0, 0}, dm[4] = {H5S_UNLIMITED, 0, 0, 0}, ch[4] = {rank == 1 ? hsize_t(256) : 1, 0, 0, 0};
  for (int r = 1; r < rank; ++r) d[r] = dm[r] = ch[r] = record[r];
  hid_t space = check(H5Screate_simple(rank, d, dm), "cannot create the dataspace of '" + name + "'");
  hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
  herr_t st = plist < 0 ? -1 : H5Pset_chunk(plist, rank, ch);
  if (st >= 0 && compress) st = H5Pset_shuffle(plist);
  if (st >= 0 && compress) st = H5Pset_deflate(plist, 4);
  hid_t ds = st < 0 ? -1 : H5Dcreate2(file, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, plist, H5P_DEFAULT);
  if (plist >= 0) H5Pclose(plist);
  H5Sclose(space);
  return check(ds, "cannot create dataset '" + name + "'");
}
}  // namespace

void H5Writer::append_snapshot(const FieldSet& f, double t, const std::vector<std::string>& sp) {
  const Grid& g = f.grid();
  std::vector<std::string> names = sp.empty() ? f.names() : sp;
  std::vector<std::size_t> idx;
  for (const auto& name : names) idx.push_back(f.index(name));  // unknown names: invalid_argument
  const hsize_t rec[4] = {1, hsize_t(g.nz()), hsize_t(g.ny()), hsize_t(g.nx())};
  try {
    if (impl_->times < 0) {
      impl_->times = create_extendable(impl_->file, "/times", 1, rec, false);
      if (H5Lexists(impl_->file, "/fields", H5P_DEFAULT) <= 0)
        check(H5Gclose(check(H5Gcreate2(impl_->file, "/fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                             "cannot create group /fields")), "cannot close group /fields");
    }
    const hsize_t k = impl_->nsnap;
    append_record(impl_->times, 1, rec, k, &t, "/times");
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto it = impl_->fields.find(names[i]);
      if (it == impl_->fields.end()) {
        if (k != 0) throw invalid_argument("append_snapshot: field '" + names[i] + "' appears after the first snapshot");
        it = impl_->fields.emplace(names[i], create_extendable(impl_->file, "/fields/" + names[i], 4, rec, true)).first;
      }
      append_record(it->second, 4, rec, k, f.data(idx[i]), "'/fields/" + names[i] + "'");
    }
    impl_->nsnap = k + 1;
  } catch (const io_error& e) {
    abandon(e.what());
  }
}

void H5Writer::set_attribute(const std::string& key, const std::string& value) {
  try {
    hid_t type = check(H5Tcopy(H5T_C_S1), "cannot create a string type");
    herr_t st = H5Tset_size(type, value.size() + 1);
    if (st >= 0) st = H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    if (st >= 0 && H5Aexists(impl_->file, key.c_str()) > 0) st = H5Adelete(impl_->file, key.c_str());
    hid_t a = st < 0 || space < 0 ? -1 : H5Acreate2(impl_->file, key.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    st = a < 0 ? -1 : H5Awrite(a, type, value.c_str());
    if (a >= 0 && H5Aclose(a) < 0) st = -1;
    if (space >= 0) H5Sclose(space);
    H5Tclose(type);
    check(st, "cannot write attribute '" + key + "'");
  } catch (const io_error& e) {
    abandon(e.what());
  }
}

void H5Writer::set_attribute(const std::string& key, double value) {
  try {
    hid_t space = check(H5Screate(H5S_SCALAR), "cannot create a dataspace");
    herr_t st = H5Aexists(impl_->file, key.c_str()) > 0 ? H5Adelete(impl_->file, key.c_str()) : 0;
    hid_t a = st < 0 ? -1 : H5Acreate2(impl_->file, key.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
    st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_DOUBLE, &value);
    if (a >= 0 && H5Aclose(a) < 0) st = -1;
    H5Sclose(space);
    check(st, "cannot write attribute '" + key + "'");
  } catch (const io_error& e) {
    abandon(e.what());
  }
}

void H5Writer::commit() {
  if (committed_) return;
  std::string image;
  try {
    herr_t st = 0;
    for (auto& [n, d] : impl_->fields)
      if (H5Dclose(d) < 0) st = -1;
    impl_->fields.clear();
    if (impl_->times >= 0 && H5Dclose(impl_->times) < 0) st = -1;
    impl_->times = -1;
    if (st >= 0) st = H5Fflush(impl_->file, H5F_SCOPE_GLOBAL);
    const ssize_t n = st < 0 ? -1 : H5Fget_file_image(impl_->file, nullptr, 0);
    if (n >= 0) image.resize(std::size_t(n));
    if (n < 0 || H5Fget_file_image(impl_->file, image.data(), image.size()) != n)
      fail("cannot build the HDF5 file image");
    const herr_t c = H5Fclose(impl_->file);
    impl_->file = -1;
    check(c, "cannot close the in-memory HDF5 file");
  } catch (const io_error& e) {
    abandon(e.what());
  }
  write_sealed(path_, image.data(), image.size());
  committed_ = true;
}

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

std::string read_string_attribute(const std::string& path, const std::string& key) {
  File f(path);
  if (H5Aexists(f.id, key.c_str()) <= 0) fail("'" + path + "' has no attribute '" + key + "'");
  hid_t a = H5Aopen(f.id, key.c_str(), H5P_DEFAULT);
  hid_t t = H5Aget_type(a);
  if (H5Tget_class(t) != H5T_STRING) {
    H5Tclose(t);
    H5Aclose(a);
    fail("attribute '" + key + "' in '" + path + "' is not a string");
  }
  std::string out;
  if (H5Tis_variable_str(t) > 0) {
    char* buf = nullptr;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    const herr_t st = H5Aread(a, mt, &buf);
    if (st >= 0 && buf) out = buf;
    if (buf) H5free_memory(buf);
    H5Tclose(mt);
    if (st < 0) {
      H5Tclose(t);
      H5Aclose(a);
      fail("cannot read attribute '" + key + "' in '" + path + "' (corrupt?)");
    }
  } else {
    std::size_t n = H5Tget_size(t);
    std::string buf(n, '\0');
    if (H5Aread(a, t, buf.data()) < 0) {
      H5Tclose(t);
      H5Aclose(a);
      fail("cannot read attribute '" + key + "' in '" + path + "' (corrupt?)");
    }
    out = buf.c_str();
  }
  H5Tclose(t);
  H5Aclose(a);
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
