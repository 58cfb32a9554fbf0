# The SDK's promise, tested end to end (run with cmake -P by CTest):
#   1. `cmake --install <build> --component sdk` installs the headers and the
#      CMake package into a fresh prefix;
#   2. sdk/examples/upper configures and builds OUTSIDE this repository with
#      find_package(birdgate-sdk), in a temporary folder;
#   3. birdgate_plugin_check loads the built upper.so with the real plugin
#      host and runs its transform.
# Inputs: BUILD_DIR EXAMPLE_DIR WORK_DIR CHECK GENERATOR CXX_COMPILER.
cmake_minimum_required(VERSION 3.25)

foreach(_var BUILD_DIR EXAMPLE_DIR WORK_DIR CHECK GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "SdkOutOfTreeTest.cmake: -D${_var}=... is required")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${_rc}):\n${_out}\n${_err}")
  endif()
  set(run_output "${_out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(_prefix ${WORK_DIR}/prefix)

# 1. Install the SDK component only.
run("installing the sdk component" ${CMAKE_COMMAND} --install ${BUILD_DIR} --component sdk --prefix ${_prefix})
foreach(_file include/birdgate/plugin.h include/birdgate/plugin.hpp)
  if(NOT EXISTS ${_prefix}/${_file})
    message(FATAL_ERROR "the sdk install lacks ${_file}")
  endif()
endforeach()
file(GLOB_RECURSE _configs ${_prefix}/*/birdgate-sdkConfig.cmake)
if(NOT _configs)
  message(FATAL_ERROR "the sdk install lacks birdgate-sdkConfig.cmake")
endif()
file(GLOB_RECURSE _strays ${_prefix}/bin/* ${_prefix}/*.a)
if(_strays)
  message(FATAL_ERROR "the sdk component installed more than the SDK: ${_strays}")
endif()

# 2. Build the example plugin out of tree against the installed SDK.
run("configuring sdk/examples/upper"
  ${CMAKE_COMMAND} -S ${EXAMPLE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${_prefix})
run("building sdk/examples/upper" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
file(GLOB_RECURSE _plugins ${WORK_DIR}/build/upper.so)
if(NOT _plugins)
  message(FATAL_ERROR "building sdk/examples/upper made no upper.so")
endif()
list(GET _plugins 0 _plugin)
get_filename_component(_plugin_dir ${_plugin} DIRECTORY)

# 3. Load it with the host and run the transform.
run("loading upper.so with the plugin host"
  ${CHECK} ${_plugin_dir} upper.upper [[{}]] [[{"statuses":[{"id":1,"text":"good beer"}]}]])
string(STRIP "${run_output}" _got)
set(_want [[{"statuses":[{"id":1,"text":"GOOD BEER"}]}]])
if(NOT _got STREQUAL _want)
  message(FATAL_ERROR "upper.upper answered\n  ${_got}\ninstead of\n  ${_want}")
endif()
message(STATUS "out-of-tree plugin built against the installed SDK and loaded: ${_got}")
