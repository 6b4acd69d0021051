# The build of record for the addon. Sources come from native/sources.json, the one list that
# CMakeLists.txt reads too. Everything is compiled for the baseline of the target architecture
# except the ISA units ("isa_units" in sources.json), which sit in their own static libraries
# with their own flags, are built only for their architecture (AVX2 and AVX-512 on x64, NEON on
# arm64; the "arch" of each unit there says the same as the conditions below) and are reached
# only through the run-time dispatch, so a prebuilt binary never meets an illegal instruction.
# Settings for three toolchains: cflags for GCC and Clang (Linux), xcode_settings for Apple's
# Clang (macOS), msvs_settings for MSVC (Windows).
{
  "variables": {
    # -ffp-contract=off: a multiply and an add are fused only where the code spells an FMA. GCC
    # fuses them by default in C++ wherever the target has FMA (AArch64 always), differently in
    # two inlined copies of one expression, and Clang within an expression: the same loss came
    # out 1 ulp apart with and without its gradient on arm64.
    "myelin_cflags": ["-std=c++17", "-O3", "-fno-math-errno", "-ffp-contract=off", "-fexceptions", "-fvisibility=hidden", "-Wall", "-Wextra"],
  },
  "target_defaults": {
    "cflags!": ["-fno-exceptions", "-O2", "-O0"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20", "-O2", "-O0"],
    "cflags_cc": ["<@(myelin_cflags)"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "10.15",
      "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-ffp-contract=off", "-Wall", "-Wextra"],
    },
    "msvs_settings": {
      "VCCLCompilerTool": {
        "ExceptionHandling": 1,
        "Optimization": 2,
        "AdditionalOptions": ["/std:c++17", "/utf-8", "/fp:precise"],
      },
    },
  },
  "targets": [
    {
      "target_name": "myelin",
      "sources": [
        "<!@(node -p \"require('./native/sources.json').kernels.join(' ')\")",
        "<!@(node -p \"require('./native/sources.json').binding.join(' ')\")",
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: a binding called while its worker thread is being
      # terminated cannot throw to JavaScript any more; without it, node-addon-api turns that
      # into a C++ exception nothing catches, which ends the whole process.
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED",
                  "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "conditions": [
        ["target_arch == 'x64'", { "dependencies": ["myelin_avx2", "myelin_avx512"] }],
        ["target_arch == 'arm64'", { "dependencies": ["myelin_neon"] }],
      ],
    },
  ],
  "conditions": [
    ["target_arch == 'x64'", {
      "targets": [
        {
          "target_name": "myelin_avx2",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').isa_units.avx2.sources.join(' ')\")"],
          "cflags_cc": ["<!@(node -p \"require('./native/sources.json').isa_units.avx2.flags.join(' ')\")"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["<!@(node -p \"require('./native/sources.json').isa_units.avx2.flags.join(' ')\")"],
          },
          "msvs_settings": {
            "VCCLCompilerTool": {
              "AdditionalOptions": ["<!@(node -p \"require('./native/sources.json').isa_units.avx2.msvc_flags.join(' ')\")"],
            },
          },
        },
        {
          "target_name": "myelin_avx512",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').isa_units.avx512.sources.join(' ')\")"],
          "cflags_cc": ["<!@(node -p \"require('./native/sources.json').isa_units.avx512.flags.join(' ')\")"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["<!@(node -p \"require('./native/sources.json').isa_units.avx512.flags.join(' ')\")"],
          },
          "msvs_settings": {
            "VCCLCompilerTool": {
              "AdditionalOptions": ["<!@(node -p \"require('./native/sources.json').isa_units.avx512.msvc_flags.join(' ')\")"],
            },
          },
        },
      ],
    }],
    ["target_arch == 'arm64'", {
      "targets": [
        {
          "target_name": "myelin_neon",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').isa_units.neon.sources.join(' ')\")"],
          "cflags_cc": ["<!@(node -p \"require('./native/sources.json').isa_units.neon.flags.join(' ')\")"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["<!@(node -p \"require('./native/sources.json').isa_units.neon.flags.join(' ')\")"],
          },
          "msvs_settings": {
            "VCCLCompilerTool": {
              "AdditionalOptions": ["<!@(node -p \"require('./native/sources.json').isa_units.neon.msvc_flags.join(' ')\")"],
            },
          },
        },
      ],
    }],
  ],
}
