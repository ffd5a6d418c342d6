// HDF5 I/O bodies (the only translation unit that includes hdf5.h).
#include "dermasim/io/hdf5.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <sstream>

namespace dermasim::io {
namespace {

struct Silence {  // HDF5 prints its error stack by default; we throw io_error instead
  Silence() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const Silence silence_once;

[[noreturn]] void fail(const std::string& what) { throw io_error(what); }

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
};

H5Writer::H5Writer(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
  if (path.empty()) throw invalid_argument("output path is empty");
  tmp_ = path + ".tmp-" + std::to_string(::getpid());
  impl_->file = H5Fcreate(tmp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (impl_->file < 0) fail("cannot create HDF5 file '" + tmp_ + "' (is the directory writable?)");
}

H5Writer::~H5Writer() {
  if (impl_) {
    for (auto& [n, d] : impl_->fields) H5Dclose(d);
    if (impl_->times >= 0) H5Dclose(impl_->times);
    if (impl_->file >= 0) H5Fclose(impl_->file);
  }
  if (!committed_) std::remove(tmp_.c_str());
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
  ensure_groups(impl_->file, name);
  hid_t space = H5Screate_simple(int(hd.size()), hd.data(), nullptr);
  hid_t ds = H5Dcreate2(impl_->file, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT,
                        H5P_DEFAULT, H5P_DEFAULT);
  if (ds < 0) {
    H5Sclose(space);
    fail("cannot create dataset '" + name + "' in '" + tmp_ + "'");
  }
  if (n > 0 && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
    fail("cannot write dataset '" + name + "'");
  H5Dclose(ds);
  H5Sclose(space);
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

void H5Writer::append_snapshot(const FieldSet& f, double t, const std::vector<std::string>& sp) {
  const Grid& g = f.grid();
  std::vector<std::string> names = sp.empty() ? f.names() : sp;
  const hsize_t nz = g.nz(), ny = g.ny(), nx = g.nx();
  if (impl_->times < 0) {
    hsize_t d0 = 0, dmax = H5S_UNLIMITED, chunk = 256;
    hid_t space = H5Screate_simple(1, &d0, &dmax);
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(plist, 1, &chunk);
    impl_->times = H5Dcreate2(impl_->file, "/times", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, plist,
                              H5P_DEFAULT);
    H5Pclose(plist);
    H5Sclose(space);
    if (impl_->times < 0) fail("cannot create /times");
    hid_t gid = H5Gcreate2(impl_->file, "/fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (gid >= 0) H5Gclose(gid);
  }
  const hsize_t k = impl_->nsnap;
  // times
  {
    hsize_t nd = k + 1;
    H5Dset_extent(impl_->times, &nd);
    hid_t fs = H5Dget_space(impl_->times);
    hsize_t start = k, count = 1;
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
    hid_t ms = H5Screate_simple(1, &count, nullptr);
    if (H5Dwrite(impl_->times, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &t) < 0)
      fail("cannot append to /times");
    H5Sclose(ms);
    H5Sclose(fs);
  }
  for (const auto& name : names) {
    const std::size_t s = f.index(name);
    hid_t& ds = impl_->fields[name];
    if (k == 0 || ds <= 0) {
      hsize_t d[4] = {0, nz, ny, nx}, dm[4] = {H5S_UNLIMITED, nz, ny, nx}, ch[4] = {1, nz, ny, nx};
      hid_t space = H5Screate_simple(4, d, dm);
      hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
      H5Pset_chunk(plist, 4, ch);
      H5Pset_shuffle(plist);
      H5Pset_deflate(plist, 4);
      const std::string p = "/fields/" + name;
      ds = H5Dcreate2(impl_->file, p.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, plist,
                      H5P_DEFAULT);
      H5Pclose(plist);
      H5Sclose(space);
      if (ds < 0) fail("cannot create dataset '" + p + "'");
    }
    hsize_t nd[4] = {k + 1, nz, ny, nx};
    H5Dset_extent(ds, nd);
    hid_t fs = H5Dget_space(ds);
    hsize_t start[4] = {k, 0, 0, 0}, count[4] = {1, nz, ny, nx};
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, count, nullptr);
    hid_t ms = H5Screate_simple(4, count, nullptr);
    if (H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, f.data(s)) < 0)
      fail("cannot append a snapshot of '" + name + "'");
    H5Sclose(ms);
    H5Sclose(fs);
  }
  impl_->nsnap = k + 1;
}

void H5Writer::set_attribute(const std::string& key, const std::string& value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, value.size() + 1);
  H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = H5Screate(H5S_SCALAR);
  if (H5Aexists(impl_->file, key.c_str()) > 0) H5Adelete(impl_->file, key.c_str());
  hid_t a = H5Acreate2(impl_->file, key.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, type, value.c_str()) < 0) fail("cannot write attribute '" + key + "'");
  H5Aclose(a);
  H5Sclose(space);
  H5Tclose(type);
}

void H5Writer::set_attribute(const std::string& key, double value) {
  hid_t space = H5Screate(H5S_SCALAR);
  if (H5Aexists(impl_->file, key.c_str()) > 0) H5Adelete(impl_->file, key.c_str());
  hid_t a = H5Acreate2(impl_->file, key.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &value) < 0)
    fail("cannot write attribute '" + key + "'");
  H5Aclose(a);
  H5Sclose(space);
}

void H5Writer::commit() {
  if (committed_) return;
  for (auto& [n, d] : impl_->fields) H5Dclose(d);
  impl_->fields.clear();
  if (impl_->times >= 0) H5Dclose(impl_->times);
  impl_->times = -1;
  if (H5Fflush(impl_->file, H5F_SCOPE_GLOBAL) < 0 || H5Fclose(impl_->file) < 0)
    fail("cannot flush/close '" + tmp_ + "'");
  impl_->file = -1;
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    fail("cannot rename '" + tmp_ + "' onto '" + path_ + "'");
  committed_ = true;
}

namespace {
struct File {
  hid_t id;
  explicit File(const std::string& path) {
    if (access(path.c_str(), R_OK) != 0) fail("cannot open '" + path + "': no such readable file");
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
    H5Aread(a, mt, &buf);
    if (buf) out = buf;
    H5free_memory(buf);
    H5Tclose(mt);
  } else {
    std::size_t n = H5Tget_size(t);
    std::string buf(n, '\0');
    H5Aread(a, t, buf.data());
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
  H5G_info_t info;
  H5Gget_info(g, &info);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    std::string s(std::size_t(n) + 1, '\0');
    H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size(), H5P_DEFAULT);
    s.resize(std::size_t(n));
    names.push_back(s);
  }
  H5Gclose(g);
  return names;
}

}  // namespace dermasim::io
