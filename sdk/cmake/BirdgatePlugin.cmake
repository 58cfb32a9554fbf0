# birdgate_add_plugin(<name> [OUTPUT_NAME <file-name>] <sources>...)
#
# Adds a MODULE library that birdgate can load as `<name>.so` (no "lib"
# prefix), linked to birdgate::sdk, with every symbol hidden except the entry
# point that BIRDGATE_PLUGIN / BIRDGATE_EXPORT marks. OUTPUT_NAME sets the
# file name when the target name must differ (e.g. to avoid a clash).
include_guard(GLOBAL)

function(birdgate_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 _bp "" "OUTPUT_NAME" "")
  if(NOT _bp_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "birdgate_add_plugin(${name}): no source files")
  endif()
  add_library(${name} MODULE ${_bp_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE birdgate::sdk)
  if(NOT _bp_OUTPUT_NAME)
    set(_bp_OUTPUT_NAME ${name})
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${_bp_OUTPUT_NAME}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
