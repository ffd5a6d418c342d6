#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "dermasim/io/hdf5.hpp"

using namespace dermasim;

TEST_CASE("io: grid, snapshots and attributes round-trip; files appear atomically") {
  const std::string path = "test_io_roundtrip.h5";
  std::remove(path.c_str());
  Grid g(3, 2, 3e-3, 2e-3, {0.0, 1e-4, 3e-4, 6e-4});
  FieldSet f(g, {"a", "b"});
  for (std::size_t c = 0; c < g.size(); ++c) {
    f[0][c] = double(c);
    f[1][c] = -double(c);
  }
  {
    io::H5Writer w(path);
    w.write_grid(g);
    w.append_snapshot(f, 0.0);
    for (auto& v : f[0]) v += 100;
    w.append_snapshot(f, 60.0);
    w.set_attribute("scenario", std::string("{\"x\": 1}"));
    w.set_attribute("seed", 42.0);
    CHECK(access(path.c_str(), F_OK) != 0);  // nothing at the final path before commit
    w.commit();
  }
  std::vector<std::size_t> dims;
  auto a = io::read_array(path, "/fields/a", &dims);
  REQUIRE(dims.size() == 4);
  CHECK(dims[0] == 2);
  CHECK(dims[1] == 3);
  CHECK(dims[2] == 2);
  CHECK(dims[3] == 3);
  CHECK(a[g.size() + 5] == 105.0);
  CHECK(io::read_array(path, "/times")[1] == 60.0);
  CHECK(io::read_array(path, "/grid/z_faces").size() == 4);
  CHECK(io::read_string_attribute(path, "scenario") == "{\"x\": 1}");
  auto names = io::list_group(path, "/fields");
  CHECK(names.size() == 2);
  std::remove(path.c_str());
}

TEST_CASE("io: an uncommitted writer leaves an existing file untouched") {
  const std::string path = "test_io_keep.h5";
  {
    io::H5Writer w(path);
    w.write_array("/x", {1.0, 2.0}, {2});
    w.commit();
  }
  {
    io::H5Writer w(path);
    w.write_array("/x", {9.0}, {1});
    // destroyed without commit (e.g. an exception mid-run)
  }
  CHECK(io::read_array(path, "/x").size() == 2);
  std::remove(path.c_str());
}

TEST_CASE("io: missing, foreign and corrupt files give io_error naming the file") {
  CHECK_THROWS_WITH_AS(io::read_array("no_such_file.h5", "/x"), doctest::Contains("no_such_file.h5"),
                       io_error);
  {
    std::ofstream o("not_hdf5.h5");
    o << "this is not an HDF5 file";
  }
  CHECK_THROWS_WITH_AS(io::read_array("not_hdf5.h5", "/x"), doctest::Contains("not an HDF5 file"),
                       io_error);
  std::remove("not_hdf5.h5");
  {
    io::H5Writer w("trunc.h5");
    std::vector<double> big(100000, 1.0);
    w.write_array("/x", big, {big.size()});
    w.commit();
  }
  truncate("trunc.h5", 2000);
  CHECK_THROWS_AS(io::read_array("trunc.h5", "/x"), io_error);
  std::remove("trunc.h5");
  CHECK_THROWS_AS(io::H5Writer("/nonexistent_dir/x.h5"), io_error);
}
