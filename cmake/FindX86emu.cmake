# FindX86emu: locate libx86emu (Debian: libx86emu-dev), which ships no CMake
# or pkg-config file. Defines the imported target X86emu::X86emu.
find_path(X86emu_INCLUDE_DIR NAMES x86emu.h)
find_library(X86emu_LIBRARY NAMES x86emu)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(X86emu REQUIRED_VARS X86emu_LIBRARY X86emu_INCLUDE_DIR)
if(X86emu_FOUND AND NOT TARGET X86emu::X86emu)
  add_library(X86emu::X86emu UNKNOWN IMPORTED)
  set_target_properties(X86emu::X86emu PROPERTIES
    IMPORTED_LOCATION "${X86emu_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${X86emu_INCLUDE_DIR}")
endif()
mark_as_advanced(X86emu_INCLUDE_DIR X86emu_LIBRARY)
