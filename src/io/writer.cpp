// dermasim::io::H5Writer: the result layout and checkpoints, built in memory (HDF5's core
// driver), read back from the image, then written by write_sealed (hdf5.cpp).
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "dermasim/core/version.hpp"
#include "dermasim/io/hdf5.hpp"
#include "h5util.hpp"

namespace dermasim::io {
namespace {
using detail::check;
using detail::fail;
using detail::Hid;
using detail::owned;

constexpr int kFormatVersion = 2;
constexpr hsize_t kSeriesChunk = 256;        // the chunk of /times, /outcomes/time and outcome rows
constexpr std::size_t kReadBytes = 4 << 20;  // the read-back reads datasets in slabs of about this
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A name inside a group (a field, metric, table or column): HDF5 would make "a/b" a subgroup.
void require_name(const std::string& what, const std::string& name) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos)
    throw invalid_argument(what + " name '" + name + "' must be non-empty and contain no '/'");
}

std::string absolute(const std::string& name) { return !name.empty() && name[0] == '/' ? name : "/" + name; }

// Whether the absolute `path` names an object (H5Lexists needs every parent to exist).
bool exists(hid_t file, const std::string& path) {
  if (path == "/") return true;
  std::size_t pos = 0;
  do {
    pos = path.find('/', pos + 1);
    if (H5Lexists(file, path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  } while (pos != std::string::npos);
  return true;
}

// -- datasets and attributes ----------------------------------------------------------------

// The shape and storage of a new dataset. No dims: a scalar; no chunk: contiguous; extendable:
// the first axis is unlimited; gzip > 0: shuffle + deflate at that level.
struct Storage {
  std::vector<hsize_t> dims;
  std::vector<hsize_t> chunk;
  bool extendable = false;
  int gzip = 0;
};

Hid create_dataset(hid_t file, hid_t lcpl, const std::string& name, hid_t type, const Storage& s) {
  std::vector<hsize_t> maxdims(s.dims);
  if (s.extendable) maxdims.at(0) = H5S_UNLIMITED;
  const Hid space = owned(
      s.dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(s.dims.size()), s.dims.data(), maxdims.data()),
      H5Sclose, "cannot create the dataspace of '" + name + "'");
  const Hid dcpl = owned(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create a property list");
  herr_t st = H5Pset_obj_track_times(dcpl, 0);  // no time stamps: the same content, the same bytes
  if (st >= 0 && !s.chunk.empty()) st = H5Pset_chunk(dcpl, int(s.chunk.size()), s.chunk.data());
  if (st >= 0 && s.gzip > 0) st = H5Pset_shuffle(dcpl);
  if (st >= 0 && s.gzip > 0) st = H5Pset_deflate(dcpl, unsigned(s.gzip));
  check(st, "cannot set up dataset '" + name + "'");
  return owned(H5Dcreate2(file, name.c_str(), type, space, lcpl, dcpl, H5P_DEFAULT), H5Dclose,
               "cannot create dataset '" + name + "'");
}

// Creates dataset `name` and writes all of `data` (of `type`, which is also the file type).
void write_dataset(hid_t file, hid_t lcpl, const std::string& name, hid_t type, const Storage& s, const void* data) {
  Hid ds = create_dataset(file, lcpl, name, type, s);
  hsize_t n = 1;
  for (auto d : s.dims) n *= d;
  check(n > 0 ? H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : 0, "cannot write dataset '" + name + "'");
  check(ds.close(), "cannot write dataset '" + name + "'");
}

Storage contiguous(std::vector<hsize_t> dims) {
  Storage s;
  s.dims = std::move(dims);
  return s;
}

Storage series(std::size_t n, hsize_t chunk) { return Storage{{hsize_t(n)}, {chunk}, true, 0}; }

// Extends the (t, z, y, x) dataset `ds` from k to k + 1 snapshots and writes `data` there;
// rec = {1, nz, ny, nx}.
void append_record(hid_t ds, const hsize_t* rec, hsize_t k, const double* data, const std::string& what) {
  const hsize_t extent[4] = {k + 1, rec[1], rec[2], rec[3]}, start[4] = {k, 0, 0, 0};
  check(H5Dset_extent(ds, extent), "cannot extend " + what);
  const Hid fs = owned(H5Dget_space(ds), H5Sclose, "cannot get the dataspace of " + what);
  const Hid ms = owned(H5Screate_simple(4, rec, nullptr), H5Sclose, "cannot create a dataspace");
  check(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, rec, nullptr), "cannot select in " + what);
  check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, data), "cannot append to " + what);
}

// Writes the attribute `key` (one value of `type`) of `object`, replacing one of that name.
void put_attribute(hid_t file, hid_t acpl, const std::string& object, const std::string& key, hid_t type,
                   const void* value) {
  const std::string what = "cannot write attribute '" + key + "'" + (object == "/" ? "" : " of '" + object + "'");
  const Hid obj = owned(H5Oopen(file, object.c_str(), H5P_DEFAULT), H5Oclose, what);
  const Hid space = owned(H5Screate(H5S_SCALAR), H5Sclose, what);
  const htri_t there = H5Aexists(obj, key.c_str());
  if (there < 0 || (there > 0 && H5Adelete(obj, key.c_str()) < 0)) fail(what);
  Hid a = owned(H5Acreate2(obj, key.c_str(), type, space, acpl, H5P_DEFAULT), H5Aclose, what);
  check(H5Awrite(a, type, value), what);
  check(a.close(), what);
}

// -- JSON (the units and a table's column order), as Python's json.dumps writes it -------------

// The code point at s[i] (UTF-8), advancing i; U+FFFD (for one byte) where s is not UTF-8.
unsigned next_code_point(const std::string& s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return k < s.size() ? unsigned(static_cast<unsigned char>(s[k])) : 0u; };
  const unsigned c0 = byte(i);
  const int n = c0 < 0x80                 ? 0
                : c0 >= 0xc2 && c0 < 0xe0 ? 1
                : c0 >= 0xe0 && c0 < 0xf0 ? 2
                : c0 >= 0xf0 && c0 < 0xf5 ? 3
                                          : -1;
  unsigned c = n > 0 ? c0 & (0x3fu >> n) : c0;
  for (int k = 1; k <= n && c != 0xfffd; ++k)
    c = (byte(i + k) & 0xc0) == 0x80 ? (c << 6) | (byte(i + k) & 0x3f) : 0xfffd;
  static constexpr unsigned least[] = {0, 0x80, 0x800, 0x10000};
  if (n < 0 || c == 0xfffd || c < least[n] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) {
    ++i;
    return 0xfffd;
  }
  i += std::size_t(n) + 1;
  return c;
}

// Appends `s` as a JSON string in ASCII: other characters as \uXXXX (beyond the BMP as a
// surrogate pair), lower-case hex, like json.dumps' default ensure_ascii.
void append_json(std::string& out, const std::string& s) {
  static constexpr char hex[] = "0123456789abcdef";
  const auto u4 = [&](unsigned c) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(c >> shift) & 15];
  };
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const unsigned c = next_code_point(s, i);
    const char* esc = c == '"'    ? "\\\""
                      : c == '\\' ? "\\\\"
                      : c == '\n' ? "\\n"
                      : c == '\r' ? "\\r"
                      : c == '\t' ? "\\t"
                      : c == '\b' ? "\\b"
                      : c == '\f' ? "\\f"
                                  : nullptr;
    if (esc) {
      out += esc;
    } else if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else if (c < 0x10000) {
      u4(c);
    } else {
      u4(0xd800 + ((c - 0x10000) >> 10));
      u4(0xdc00 + ((c - 0x10000) & 0x3ff));
    }
  }
  out += '"';
}

std::string json_object(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "{";
  for (const auto& [k, v] : items) {
    if (out.size() > 1) out += ", ";
    append_json(out, k);
    out += ": ";
    append_json(out, v);
  }
  return out + "}";
}

std::string json_list(const std::vector<TableColumn>& columns) {
  std::string out = "[";
  for (const auto& c : columns) {
    if (out.size() > 1) out += ", ";
    append_json(out, c.name);
  }
  return out + "]";
}

// -- the read-back of the image (commit) ------------------------------------------------------

// File-image callbacks with which HDF5 reads the caller's image in place: without them it
// copies the image twice (into the property list and into the driver), so a result would need
// three times its size. The open is read-only: nothing is written, resized or freed.
void* image_in_place(size_t, H5FD_file_image_op_t, void* image) { return image; }
void* copy_nothing(void* dest, const void*, size_t, H5FD_file_image_op_t, void*) { return dest; }
void* resize_nothing(void*, size_t, H5FD_file_image_op_t, void*) { return nullptr; }
herr_t free_nothing(void*, H5FD_file_image_op_t, void*) { return 0; }
void* same_image(void* image) { return image; }
herr_t release_nothing(void*) { return 0; }

Hid open_image(std::string& image, const std::string& name) {
  const std::string what = "the file built in memory does not open";
  const Hid fapl = owned(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, what);
  H5FD_file_image_callbacks_t cb = {image_in_place, copy_nothing,    resize_nothing, free_nothing,
                                    same_image,     release_nothing, image.data()};
  check(H5Pset_fapl_core(fapl, 1 << 20, 0), what);
  check(H5Pset_file_image_callbacks(fapl, &cb), what);
  check(H5Pset_file_image(fapl, image.data(), image.size()), what);
  return owned(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose, what);
}

struct ReadBack {
  std::vector<unsigned char> buf;  // reused by every read
  std::string object, what;        // the object being read; what failed (for the message)
};

herr_t reclaim(hid_t type, hid_t space, void* buf) {
#if H5_VERSION_GE(1, 12, 0)
  return H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
  return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

// Reads `bytes` with `read` into the reused buffer, then frees the variable-length data (the
// strings) HDF5 allocated for the values (of memory type mt over the memory space ms).
template <class Read>
bool read_into(ReadBack& rb, std::size_t bytes, hid_t mt, hid_t ms, Read read) {
  if (rb.buf.size() < bytes) rb.buf.resize(bytes);
  if (read(rb.buf.data()) < 0) return false;
  const bool vlen = H5Tis_variable_str(mt) > 0 || H5Tdetect_class(mt, H5T_VLEN) > 0;
  return !vlen || reclaim(mt, ms, rb.buf.data()) >= 0;
}

// Every value of a dataset, in slabs along its first axis.
bool read_dataset(hid_t ds, ReadBack& rb) {
  const Hid type(H5Dget_type(ds), H5Tclose), fs(H5Dget_space(ds), H5Sclose);
  const Hid mt(type.valid() ? H5Tget_native_type(type, H5T_DIR_DEFAULT) : -1, H5Tclose);
  const int rank = fs.valid() ? H5Sget_simple_extent_ndims(fs) : -1;
  const hssize_t points = fs.valid() ? H5Sget_simple_extent_npoints(fs) : -1;
  if (!mt.valid() || rank < 0 || points < 0) return false;
  if (points == 0) return true;
  const std::size_t size = H5Tget_size(mt);
  if (rank == 0)
    return read_into(rb, size, mt, fs, [&](void* b) { return H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, b); });
  std::vector<hsize_t> dims(std::size_t(rank), 0), start(std::size_t(rank), 0);
  if (H5Sget_simple_extent_dims(fs, dims.data(), nullptr) < 0) return false;
  const hsize_t row = hsize_t(points) / dims[0];  // values per index of the first axis
  const hsize_t rows = std::max<hsize_t>(1, kReadBytes / std::max<hsize_t>(1, row * size));
  std::vector<hsize_t> count(dims);
  for (hsize_t i = 0; i < dims[0]; i += rows) {
    start[0] = i;
    count[0] = std::min(rows, dims[0] - i);
    const Hid ms(H5Screate_simple(rank, count.data(), nullptr), H5Sclose);
    if (!ms.valid() || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0 ||
        !read_into(rb, size * count[0] * row, mt, ms, [&](void* b) { return H5Dread(ds, mt, ms, fs, H5P_DEFAULT, b); }))
      return false;
  }
  return true;
}

// H5Aiterate2 callback: every value of one attribute.
herr_t read_attribute(hid_t obj, const char* name, const H5A_info_t*, void* op) noexcept {
  auto& rb = *static_cast<ReadBack*>(op);
  try {
    rb.what = "attribute '" + std::string(name) + "' of '" + rb.object + "'";
    const Hid a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    const Hid type(a.valid() ? H5Aget_type(a) : -1, H5Tclose), space(a.valid() ? H5Aget_space(a) : -1, H5Sclose);
    const Hid mt(type.valid() ? H5Tget_native_type(type, H5T_DIR_DEFAULT) : -1, H5Tclose);
    const hssize_t n = space.valid() ? H5Sget_simple_extent_npoints(space) : -1;
    if (!mt.valid() || n < 0) return -1;
    const bool ok = n == 0 || read_into(rb, std::size_t(n) * H5Tget_size(mt), mt, space,
                                        [&](void* b) { return H5Aread(a, mt, b); });
    return ok ? 0 : -1;
  } catch (...) {  // no exception may cross HDF5's C frames
    return -1;
  }
}

// H5Ovisit callback: the attributes of an object and, for a dataset, its values.
herr_t read_object(hid_t root, const char* name, const H5O_info_t* info, void* op) noexcept {
  auto& rb = *static_cast<ReadBack*>(op);
  try {
    rb.object = name;
    rb.what = "'" + rb.object + "'";
    const Hid obj(H5Oopen(root, name, H5P_DEFAULT), H5Oclose);
    hsize_t at = 0;
    if (!obj.valid() || H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_NATIVE, &at, read_attribute, op) < 0) return -1;
    rb.what = "'" + rb.object + "'";
    return info->type != H5O_TYPE_DATASET || read_dataset(obj, rb) ? 0 : -1;
  } catch (...) {
    return -1;
  }
}

// Opens the image and reads every dataset and attribute in it; io_error naming what failed.
void read_back(std::string& image, const std::string& name) {
  const Hid file = open_image(image, name);
  ReadBack rb;
  rb.what = "'/'";
#if H5_VERSION_GE(1, 12, 0)
  const herr_t st = H5Ovisit3(file, H5_INDEX_NAME, H5_ITER_NATIVE, read_object, &rb, H5O_INFO_BASIC);
#else
  const herr_t st = H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, read_object, &rb, H5O_INFO_BASIC);
#endif
  if (st < 0) fail("the file built in memory does not read back (" + rb.what + ")");
}

std::vector<double> faces(double length, int n) {  // as numpy.linspace(0, length, n + 1)
  std::vector<double> f(std::size_t(n) + 1);
  const double step = length / n;
  for (int i = 0; i < n; ++i) f[std::size_t(i)] = i * step;
  f[std::size_t(n)] = length;
  return f;
}

}  // namespace

GridAxes GridAxes::of(const Grid& g, std::vector<std::int8_t> layer) {
  GridAxes a;
  for (int i = 0; i < g.nx(); ++i) a.x.push_back(g.x_centre(i));
  for (int j = 0; j < g.ny(); ++j) a.y.push_back(g.y_centre(j));
  a.z = g.z_centres();
  a.x_faces = faces(g.lx(), g.nx());
  a.y_faces = faces(g.ly(), g.ny());
  a.z_faces = g.z_faces();
  a.layer = std::move(layer);
  return a;
}

struct H5Writer::Impl {
  struct Series {
    std::vector<double> values;
    hsize_t chunk = kSeriesChunk;
  };
  std::string memory_name;
  int compression = 4;
  Hid file, lcpl, acpl, text;         // the file; link/attribute creation (UTF-8 names); UTF-8 strings
  bool layout = false;                // write_grid started the result layout
  hsize_t shape[3] = {0, 0, 0};       // (nz, ny, nx)
  std::vector<double> times;          // the small series are kept here and written by commit()
  std::map<std::string, Hid> fields;  // the /fields datasets, open while snapshots come
  std::vector<double> outcome_time;
  std::map<std::string, Series> outcomes;
  std::vector<std::pair<std::string, std::string>> units;

  void close_all() {  // errors ignored: only after a failure, in abort() or the destructor
    fields.clear();
    text.close();
    acpl.close();
    lcpl.close();
    file.close();
  }
  void attribute(const std::string& object, const std::string& key, hid_t type, const void* value) {
    put_attribute(file, acpl, object, key, type, value);
  }
  void text_attribute(const std::string& object, const std::string& key, const std::string& value) {
    const char* p = value.c_str();
    attribute(object, key, text, &p);
  }
  void integer_attribute(const std::string& object, const std::string& key, std::int64_t value) {
    attribute(object, key, H5T_NATIVE_INT64, &value);
  }
  void group(const std::string& name) {
    Hid g = owned(H5Gcreate2(file, name.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                  "cannot create group '" + name + "'");
    check(g.close(), "cannot create group '" + name + "'");
  }
  void write_series() {  // /times and /outcomes
    if (layout)
      write_dataset(file, lcpl, "/times", H5T_NATIVE_DOUBLE, series(times.size(), kSeriesChunk), times.data());
    if (!layout && outcome_time.empty() && outcomes.empty()) return;
    write_dataset(file, lcpl, "/outcomes/time", H5T_NATIVE_DOUBLE, series(outcome_time.size(), kSeriesChunk),
                  outcome_time.data());
    for (const auto& [name, s] : outcomes)
      write_dataset(file, lcpl, "/outcomes/" + name, H5T_NATIVE_DOUBLE, series(s.values.size(), s.chunk),
                    s.values.data());
  }
  std::string build_image() {  // closes the file
    herr_t st = 0;
    for (auto& [name, ds] : fields)
      if (ds.close() < 0) st = -1;
    fields.clear();
    check(st < 0 ? st : H5Fflush(file, H5F_SCOPE_GLOBAL), "cannot flush the in-memory HDF5 file");
    const ssize_t n = check(H5Fget_file_image(file, nullptr, 0), "cannot build the HDF5 file image");
    std::string image(std::size_t(n), '\0');
    if (H5Fget_file_image(file, image.data(), image.size()) != n) fail("cannot build the HDF5 file image");
    text.close();
    acpl.close();
    lcpl.close();
    check(file.close(), "cannot close the in-memory HDF5 file");
    return image;
  }
};

// Every change of the file goes through here: an io_error abandons the file (see abandon).
template <class Write>
void H5Writer::guarded(Write&& write) {
  try {
    write();
  } catch (const io_error& e) {
    abandon(e.what());
  } catch (const invalid_argument&) {
    throw;  // bad input, refused before the file changed
  } catch (const std::exception& e) {  // std::bad_alloc while building the image, ...
    abandon(e.what());
  }
}

// The end of a writer's failing call: drop the in-memory file and throw io_error naming the
// final path.
void H5Writer::abandon(const std::string& what) {
  impl_->close_all();
  if (what.find("'" + path_ + "'") != std::string::npos) fail(what);
  fail("cannot write '" + path_ + "': " + what + " (the previous file, if any, is unchanged)");
}

void H5Writer::require_open() const {
  if (!impl_->file.valid())
    fail("cannot write '" + path_ + "': the writer is closed (committed, aborted or an earlier write failed)");
}

void H5Writer::require_grid(const char* what) const {
  require_open();
  if (!impl_->layout) throw invalid_argument(std::string(what) + ": write_grid must come first");
}

void H5Writer::require_object(const std::string& object, const std::string& key) const {
  require_open();
  if (key.empty()) throw invalid_argument("set_attribute: the attribute name is empty");
  if (!exists(impl_->file, absolute(object)))
    throw invalid_argument("set_attribute('" + key + "'): there is no group or dataset '" + object + "'");
}

H5Writer::H5Writer(const std::string& path, int compression) : impl_(std::make_unique<Impl>()), path_(path) {
  if (path.empty()) throw invalid_argument("output path is empty");
  if (compression < 0 || compression > 9)
    throw invalid_argument("compression = " + std::to_string(compression) + " is out of range; valid range is [0, 9]");
  const std::string dir = detail::directory_of(path);
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail("cannot write '" + path + "': directory '" + dir + "' is not writable: " + std::strerror(errno));
  static std::atomic<unsigned long long> counter{0};
  Impl& m = *impl_;
  m.memory_name = "dermasim-memory-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  m.compression = compression;
  try {
    const Hid fcpl = owned(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "fcpl");
    const Hid fapl = owned(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "fapl");
    check(H5Pset_userblock(fcpl, kSealBytes), "userblock");
    check(H5Pset_fapl_core(fapl, 1 << 20, 0), "core driver");
    m.file = owned(H5Fcreate(m.memory_name.c_str(), H5F_ACC_TRUNC, fcpl, fapl), H5Fclose, "create");
    m.lcpl = owned(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "lcpl");
    check(H5Pset_create_intermediate_group(m.lcpl, 1), "lcpl");
    check(H5Pset_char_encoding(m.lcpl, H5T_CSET_UTF8), "lcpl");
    m.acpl = owned(H5Pcreate(H5P_ATTRIBUTE_CREATE), H5Pclose, "acpl");
    check(H5Pset_char_encoding(m.acpl, H5T_CSET_UTF8), "acpl");
    m.text = owned(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
    check(H5Tset_size(m.text, H5T_VARIABLE), "string type");
    check(H5Tset_cset(m.text, H5T_CSET_UTF8), "string type");
  } catch (const io_error& e) {
    m.close_all();
    fail("cannot create the in-memory HDF5 file for '" + path + "' (" + e.what() + ")");
  }
}

H5Writer::~H5Writer() {
  if (impl_) impl_->close_all();
}

void H5Writer::write_grid(const Grid& g, std::vector<std::int8_t> layer) {
  write_grid(GridAxes::of(g, std::move(layer)));
}

void H5Writer::write_grid(const GridAxes& a) {
  require_open();
  if (impl_->layout) throw invalid_argument("write_grid: the grid is already written");
  const std::pair<const char*, const std::vector<double>*> axes[] = {
      {"x", &a.x}, {"y", &a.y}, {"z", &a.z}, {"x_faces", &a.x_faces}, {"y_faces", &a.y_faces}, {"z_faces", &a.z_faces}};
  for (int k = 0; k < 3; ++k) {
    const std::size_t n = axes[k].second->size(), nf = axes[k + 3].second->size();
    if (n == 0) throw invalid_argument(std::string("write_grid: /grid/") + axes[k].first + " is empty");
    if (nf != n + 1)
      throw invalid_argument(std::string("write_grid: /grid/") + axes[k + 3].first + " has " + std::to_string(nf) +
                             " values for " + std::to_string(n) + " cells (needs one more)");
  }
  if (!a.layer.empty() && a.layer.size() != a.z.size())
    throw invalid_argument("write_grid: /grid/layer has " + std::to_string(a.layer.size()) + " values for " +
                           std::to_string(a.z.size()) + " z cells");
  Impl& m = *impl_;
  guarded([&] {
    for (const auto& [name, v] : axes)
      write_dataset(m.file, m.lcpl, std::string("/grid/") + name, H5T_NATIVE_DOUBLE, contiguous({v->size()}),
                    v->data());
    if (!a.layer.empty())
      write_dataset(m.file, m.lcpl, "/grid/layer", H5T_NATIVE_INT8, contiguous({a.layer.size()}), a.layer.data());
    m.group("/fields");
    m.group("/outcomes");
    m.text_attribute("/", "format", "dermasim-result");
    m.integer_attribute("/", "format_version", kFormatVersion);
    m.text_attribute("/", "version", dermasim::version);
    m.integer_attribute("/", "complete", 0);
  });
  m.shape[0] = a.z.size();
  m.shape[1] = a.y.size();
  m.shape[2] = a.x.size();
  m.layout = true;
}

void H5Writer::append_snapshot(double t, const std::vector<FieldData>& fields) {
  require_grid("append_snapshot");
  Impl& m = *impl_;
  const std::size_t cells = std::size_t(m.shape[0] * m.shape[1] * m.shape[2]);
  const bool first = m.times.empty();
  std::set<std::string> seen;
  for (const auto& f : fields) {
    require_name("append_snapshot: field", f.name);
    if (!seen.insert(f.name).second) throw invalid_argument("append_snapshot: field '" + f.name + "' is given twice");
    if (f.size != cells || !f.values)
      throw invalid_argument("append_snapshot: field '" + f.name + "' has " + std::to_string(f.size) +
                             " values; the grid has " + std::to_string(cells) + " cells (nz × ny × nx)");
    if (!first && !m.fields.count(f.name))
      throw invalid_argument("append_snapshot: field '" + f.name + "' appears after the first snapshot");
  }
  for (const auto& [name, ds] : m.fields)
    if (!seen.count(name))
      throw invalid_argument("append_snapshot: field '" + name +
                             "' (in every snapshot since the first) is missing at t = " + dermasim::detail::fmt(t) +
                             " s");
  const hsize_t rec[4] = {1, m.shape[0], m.shape[1], m.shape[2]};
  guarded([&] {
    if (first)
      for (const auto& f : fields)
        m.fields.emplace(
            f.name,
            create_dataset(m.file, m.lcpl, "/fields/" + f.name, H5T_NATIVE_DOUBLE,
                           Storage{{0, rec[1], rec[2], rec[3]}, {1, rec[1], rec[2], rec[3]}, true, m.compression}));
    for (const auto& f : fields)
      append_record(m.fields.at(f.name), rec, m.times.size(), f.values, "'/fields/" + f.name + "'");
  });
  m.times.push_back(t);
}

void H5Writer::append_snapshot(const FieldSet& f, double t, const std::vector<std::string>& species) {
  require_grid("append_snapshot");
  const Grid& g = f.grid();
  if (hsize_t(g.nz()) != impl_->shape[0] || hsize_t(g.ny()) != impl_->shape[1] || hsize_t(g.nx()) != impl_->shape[2])
    throw invalid_argument("append_snapshot: the fields' grid is not the grid written");
  const std::vector<std::string>& names = species.empty() ? f.names() : species;
  std::vector<FieldData> fields;
  fields.reserve(names.size());
  for (const auto& name : names)
    fields.push_back({name, f.data(f.index(name)), g.size()});  // unknown: invalid_argument
  append_snapshot(t, fields);
}

void H5Writer::append_outcomes(double t, const std::vector<std::pair<std::string, double>>& row) {
  require_open();
  Impl& m = *impl_;
  std::set<std::string> seen;
  for (const auto& [name, v] : row) {
    if (name == "time") throw invalid_argument("'time' is reserved in /outcomes");
    require_name("append_outcomes: metric", name);
    if (!seen.insert(name).second) throw invalid_argument("append_outcomes: metric '" + name + "' is given twice");
  }
  const std::size_t k = m.outcome_time.size();
  for (const auto& [name, v] : row) {
    auto [it, fresh] = m.outcomes.try_emplace(name);
    if (fresh) it->second.values.assign(k, kNaN);  // the rows before its first appearance
  }
  for (auto& [name, s] : m.outcomes) s.values.push_back(kNaN);  // a metric missing from the row
  for (const auto& [name, v] : row) m.outcomes[name].values.back() = v;
  m.outcome_time.push_back(t);
}

void H5Writer::write_outcome_series(const std::vector<double>& times,
                                    const std::vector<std::pair<std::string, std::vector<double>>>& series) {
  require_open();
  Impl& m = *impl_;
  if ((!m.outcome_time.empty() || !m.outcomes.empty()) && times != m.outcome_time)
    throw invalid_argument("write_outcome_series: the times differ from those of the outcomes written before");
  std::set<std::string> seen;
  for (const auto& [name, v] : series) {
    if (name == "time") throw invalid_argument("'time' is reserved in /outcomes");
    require_name("write_outcome_series: metric", name);
    if (m.outcomes.count(name) || !seen.insert(name).second)
      throw invalid_argument("write_outcome_series: metric '" + name + "' is already written");
    if (v.size() != times.size())
      throw invalid_argument("outcome '" + name + "': " + std::to_string(v.size()) + " values for " +
                             std::to_string(times.size()) + " times");
  }
  m.outcome_time = times;
  const hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(kSeriesChunk, times.size()));
  for (const auto& [name, v] : series) m.outcomes[name] = Impl::Series{v, chunk};
}

void H5Writer::write_summary(const std::string& metric, double value) {
  require_open();
  require_name("write_summary: metric", metric);
  const std::string name = "/summary/" + metric;
  if (exists(impl_->file, name)) throw invalid_argument("write_summary: " + name + " is already written");
  guarded([&] { write_dataset(impl_->file, impl_->lcpl, name, H5T_NATIVE_DOUBLE, Storage{}, &value); });
}

void H5Writer::write_table(const std::string& name, const std::vector<TableColumn>& columns) {
  require_open();
  require_name("write_table: table", name);
  const std::string group = "/tables/" + name;
  if (exists(impl_->file, group)) throw invalid_argument("write_table: table '" + name + "' is already written");
  std::set<std::string> seen;
  const auto rows = [](const TableColumn& c) { return c.is_text ? c.text.size() : c.numbers.size(); };
  for (const auto& c : columns) {
    require_name("write_table('" + name + "'): column", c.name);
    if (!seen.insert(c.name).second)
      throw invalid_argument("write_table('" + name + "'): column '" + c.name + "' is given twice");
    if (rows(c) != rows(columns[0]))
      throw invalid_argument("write_table('" + name + "'): column '" + c.name + "' has " + std::to_string(rows(c)) +
                             " rows, column '" + columns[0].name + "' has " + std::to_string(rows(columns[0])));
  }
  Impl& m = *impl_;
  guarded([&] {
    m.group(group);
    std::vector<const char*> text;
    for (const auto& c : columns) {
      const std::string ds = group + "/" + c.name;
      if (!c.is_text) {
        write_dataset(m.file, m.lcpl, ds, H5T_NATIVE_DOUBLE, contiguous({c.numbers.size()}), c.numbers.data());
        continue;
      }
      text.clear();
      for (const auto& s : c.text) text.push_back(s.c_str());
      write_dataset(m.file, m.lcpl, ds, m.text, contiguous({text.size()}), text.data());
    }
    m.text_attribute(group, "columns", json_list(columns));
  });
}

void H5Writer::set_units(std::vector<std::pair<std::string, std::string>> units) {
  require_open();
  impl_->units = std::move(units);
}

void H5Writer::write_array(const std::string& name0, const std::vector<double>& data,
                           const std::vector<std::size_t>& dims) {
  require_open();
  const std::string name = absolute(name0);
  std::size_t n = 1;
  for (auto d : dims) n *= d;
  if (n != data.size())
    throw invalid_argument("write_array('" + name + "'): dims give " + std::to_string(n) + " values, data has " +
                           std::to_string(data.size()));
  if (exists(impl_->file, name)) throw invalid_argument("write_array: '" + name + "' is already written");
  guarded([&] {
    write_dataset(impl_->file, impl_->lcpl, name, H5T_NATIVE_DOUBLE, contiguous({dims.begin(), dims.end()}),
                  data.data());
  });
}

void H5Writer::write_bytes(const std::string& name0, const void* data, std::size_t n) {
  require_open();
  const std::string name = absolute(name0);
  if (n > 0 && !data) throw invalid_argument("write_bytes('" + name + "'): no data");
  if (exists(impl_->file, name)) throw invalid_argument("write_bytes: '" + name + "' is already written");
  guarded([&] { write_dataset(impl_->file, impl_->lcpl, name, H5T_NATIVE_UINT8, contiguous({n}), data); });
}

void H5Writer::set_attribute(const std::string& key, const std::string& value, const std::string& object) {
  require_object(object, key);
  guarded([&] { impl_->text_attribute(absolute(object), key, value); });
}

void H5Writer::set_attribute(const std::string& key, double value, const std::string& object) {
  require_object(object, key);
  guarded([&] { impl_->attribute(absolute(object), key, H5T_NATIVE_DOUBLE, &value); });
}

void H5Writer::set_attribute(const std::string& key, std::int64_t value, const std::string& object) {
  require_object(object, key);
  guarded([&] { impl_->integer_attribute(absolute(object), key, value); });
}

void H5Writer::set_attribute(const std::string& key, std::uint64_t value, const std::string& object) {
  require_object(object, key);
  guarded([&] { impl_->attribute(absolute(object), key, H5T_NATIVE_UINT64, &value); });
}

void H5Writer::commit(bool complete) {
  if (committed_) return;
  write_image(finish(complete));
}

std::string H5Writer::finish(bool complete) {
  require_open();
  Impl& m = *impl_;
  std::string image;
  guarded([&] {
    if (m.layout) {
      m.integer_attribute("/", "complete", complete ? 1 : 0);
      m.text_attribute("/", "units", json_object(m.units));
    }
    m.write_series();
    image = m.build_image();
    read_back(image, m.memory_name + "-readback");
  });
  return image;
}

void H5Writer::write_image(const std::string& image) {
  if (committed_) return;
  if (impl_->file.valid()) throw invalid_argument("write_image('" + path_ + "'): call finish() first");
  write_sealed(path_, image.data(), image.size());
  committed_ = true;
}

void H5Writer::abort() { impl_->close_all(); }

}  // namespace dermasim::io
