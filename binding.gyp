# The build of record for the addon. Sources come from native/sources.json, the one list that
# CMakeLists.txt reads too. Everything is compiled for baseline x86-64 except the AVX2 and AVX-512
# kernels, which sit in their own static libraries with their own flags and are reached only
# through the run-time dispatch, so a prebuilt binary never meets an illegal instruction.
{
  "variables": {
    "myelin_cflags": ["-std=c++17", "-O3", "-fno-math-errno", "-fexceptions", "-fvisibility=hidden", "-Wall", "-Wextra"],
  },
  "target_defaults": {
    "cflags!": ["-fno-exceptions", "-O2", "-O0"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20", "-O2", "-O0"],
    "cflags_cc": ["<@(myelin_cflags)"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "OTHER_CPLUSPLUSFLAGS": ["-O3"],
    },
  },
  "targets": [
    {
      "target_name": "myelin_avx2",
      "type": "static_library",
      "sources": ["<!@(node -p \"require('./native/sources.json').kernels_avx2.join(' ')\")"],
      "conditions": [
        ["target_arch == 'x64' or target_arch == 'ia32'", {
          "cflags_cc": ["-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] },
        }],
      ],
    },
    {
      "target_name": "myelin_avx512",
      "type": "static_library",
      "sources": ["<!@(node -p \"require('./native/sources.json').kernels_avx512.join(' ')\")"],
      "conditions": [
        ["target_arch == 'x64' or target_arch == 'ia32'", {
          "cflags_cc": ["-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512dq", "-mfma", "-mavx2"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512dq", "-mfma", "-mavx2"],
          },
        }],
      ],
    },
    {
      "target_name": "myelin",
      "dependencies": ["myelin_avx2", "myelin_avx512"],
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
    },
  ],
}
