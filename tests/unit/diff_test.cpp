// Tests of src/core/diff.cpp.
