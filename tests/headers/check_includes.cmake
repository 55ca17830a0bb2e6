# Public headers must not expose a dependency other than Boost.Outcome: hosts compile them without
# SQLite, libsodium, fmt or nlohmann/json on their include path.
file(GLOB headers "${INCLUDE_DIR}/quire/*.hpp" "${INCLUDE_DIR}/*.h")
foreach(header ${headers})
  file(STRINGS "${header}" includes REGEX "#include")
  foreach(line ${includes})
    if(line MATCHES "sqlite|sodium|fmt/|nlohmann|SQLiteCpp|libpq")
      message(FATAL_ERROR "${header} includes a private dependency: ${line}")
    endif()
  endforeach()
endforeach()
list(LENGTH headers count)
message(STATUS "checked ${count} public headers")
