# holo_module(NAME DEPS <lower modules and libraries> [PRIVATE_DEPS ...])
# One static library per module from the .cpp files in its folder. Public headers are included as
# "holo/<module>/x.h". Dependencies point down the table of docs/architecture.md only.
function(holo_module name)
  cmake_parse_arguments(M "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT srcs)  # a module still being written: keep the build graph valid
    file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/empty_module.cpp "// no sources yet\n")
    set(srcs ${CMAKE_CURRENT_BINARY_DIR}/empty_module.cpp)
  endif()
  add_library(holo_${name} STATIC ${srcs})
  add_library(holo::${name} ALIAS holo_${name})
  target_include_directories(holo_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
  target_link_libraries(holo_${name} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  target_compile_options(holo_${name} PRIVATE -Wall -Wextra -Wpedantic
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-restrict>)
  set_target_properties(holo_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# holo_unit_test(MODULE) — one GoogleTest binary per module from tests/unit/<module>/*.cpp
function(holo_unit_test module)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${module}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  add_executable(test_${module} ${srcs})
  target_link_libraries(test_${module} PRIVATE holo::${module} holo_test_support GTest::gtest_main GTest::gmock ${ARGN})
  target_compile_options(test_${module} PRIVATE -Wall -Wextra)
  # One ENVIRONMENT value only: a ';' inside PROPERTIES would split the key/value pairs (and lose LABELS).
  # Tests run in the build tree (scratch files land there) and find sources through HOLO_SOURCE_DIR.
  gtest_discover_tests(test_${module} WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
    PROPERTIES ENVIRONMENT "HOLO_SOURCE_DIR=${PROJECT_SOURCE_DIR}" LABELS unit
    DISCOVERY_TIMEOUT 60)
endfunction()
