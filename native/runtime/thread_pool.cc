// The one persistent thread pool for intra-op parallelism.
//
// Workers are started lazily (once, the first time a call needs them) and park between calls:
// first a spin of up to a millisecond, so the kernel calls of a training loop do not pay a futex
// wake-up each, then a condition-variable wait. The calling thread takes part in every call.
// Tasks are handed out through one atomic counter tagged with the call's generation; callers
// guarantee that which thread runs a task never changes a result. A call returns when its tasks
// are done, whichever threads ran them: the caller never waits for a helper that was not
// scheduled in time.
//
// Ownership: one thread at a time owns the pool for the length of a parallel_for (run_mutex,
// taken with try_lock). A nested call from inside a task, or a call while another thread owns
// the pool, runs inline on its caller instead of waiting or deadlocking.
//
// Exit: the pool is a function-local static whose destructor stops and joins the workers, so
// sanitizers see no leaked threads (on Windows it is never destroyed: see pool()). A call that
// arrives after it is destroyed (from another static's destructor) sees pool_destroyed and runs
// inline.
// A task that throws on a worker thread ends the process (as std::thread does); kernels do not
// throw.
#include "thread_pool.h"

#include "arch.h"

#if defined(__linux__)
#include <sched.h>
#elif defined(__APPLE__)
#include <sys/sysctl.h>
#elif defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#endif
#if defined(_MSC_VER) && MYELIN_ARCH_X64
#include <immintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace myelin {

namespace {

// Cores, not hyper-threads: two FMA-bound GEMM threads on one core's siblings only contend.
// 0 when the OS does not say (then hardware_concurrency decides).
#if defined(__linux__)
// Counts unique (package, core) pairs among the CPUs this process may run on.
int count_physical_cores() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return 0;
  std::set<std::pair<int, int>> cores;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    std::ifstream package_file(dir + "physical_package_id");
    std::ifstream core_file(dir + "core_id");
    int package = -1, core = -1;
    if (!(package_file >> package) || !(core_file >> core)) return 0;
    cores.emplace(package, core);
  }
  return static_cast<int>(cores.size());
}
#elif defined(__APPLE__)
// hw.physicalcpu: every core, performance and efficiency alike, with no SMT on Apple silicon.
int count_physical_cores() {
  int cores = 0;
  std::size_t size = sizeof(cores);
  if (sysctlbyname("hw.physicalcpu", &cores, &size, nullptr, 0) != 0) return 0;
  return cores;
}
#elif defined(_WIN32)
// One RelationProcessorCore entry per core, whatever its logical processors.
int count_physical_cores() {
  DWORD bytes = 0;
  GetLogicalProcessorInformation(nullptr, &bytes);
  std::vector<SYSTEM_LOGICAL_PROCESSOR_INFORMATION> info(
      bytes / sizeof(SYSTEM_LOGICAL_PROCESSOR_INFORMATION));
  if (info.empty() || !GetLogicalProcessorInformation(info.data(), &bytes)) return 0;
  int cores = 0;
  for (const auto& entry : info) cores += entry.Relationship == RelationProcessorCore;
  return cores;
}
#else
int count_physical_cores() { return 0; }
#endif

int default_threads() {
  const int physical = count_physical_cores();
  if (physical > 0) return physical;
  const int logical = static_cast<int>(std::thread::hardware_concurrency());
  return logical > 0 ? logical : 1;
}

int compute_max_threads() {
  const int logical = static_cast<int>(std::thread::hardware_concurrency());
  return std::max({1, logical, default_threads()});
}

// Positive decimal integer, nothing else; anything else is ignored.
bool parse_positive(const char* text, int* out) {
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 1 || value > 1 << 20) return false;
  *out = static_cast<int>(value);
  return true;
}

int clamp_threads(int n) { return std::min(std::max(n, 1), max_threads()); }

std::atomic<int>& thread_count_slot() {
  static std::atomic<int> slot{[] {
    int n = default_threads();
    parse_positive(std::getenv("MYELIN_NUM_THREADS"), &n);
    return clamp_threads(n);
  }()};
  return slot;
}

thread_local bool t_inside_task = false;
std::atomic<bool> pool_destroyed{false};

// The spin-wait hint: pause on x86-64, yield on AArch64.
inline void cpu_relax() {
#if MYELIN_ARCH_X64 && defined(_MSC_VER)
  _mm_pause();
#elif MYELIN_ARCH_X64
  __builtin_ia32_pause();
#elif MYELIN_ARCH_ARM64 && defined(_MSC_VER)
  __yield();
#elif MYELIN_ARCH_ARM64
  __asm__ __volatile__("yield");
#endif
}

// Long enough to cover the gaps of a training loop (the JavaScript between kernel calls, and the
// event-loop yield between steps: with 100 us the workers parked between steps and every step
// paid a futex wake-up, 109k vs 97k samples/s for the MLP bench at 2 threads), short enough not
// to burn a shared core for long when the process goes idle.
//
// The spin does not yield. sched_yield gives the core to any other runnable thread for a whole
// scheduler slice (another process, or onnxruntime's own spinning workers in the same process),
// so a yielding worker is absent call after call and the caller runs every task alone: batch-1000
// predict at 2 threads in bench inference (onnxruntime beside it) measured 316-386k samples/s
// with the yield, about the 1-thread figure, against 352-519k without it in the same session.
// The yield's gain, a batch-1 p99 near 100 us rather than up to 1-2 ms beside busy processes,
// does not pay for that.
constexpr auto kSpinTime = std::chrono::microseconds(1000);

class Pool {
 public:
  ~Pool() {
    pool_destroyed.store(true);
    {
      std::lock_guard<std::mutex> lock(wake_mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  // Runs every task; returns false (having run nothing) when the pool is owned by another call.
  bool run(int n_tasks, int n_threads, const std::function<void(int)>& fn) {
    std::unique_lock<std::mutex> own(run_mutex_, std::try_to_lock);
    if (!own.owns_lock()) return false;
    const int helpers = std::min(n_threads, n_tasks) - 1;
    while (static_cast<int>(workers_.size()) < helpers) {
      const int index = static_cast<int>(workers_.size());
      const unsigned current = generation_.load(std::memory_order_relaxed);
      workers_.emplace_back([this, index, current] { worker_loop(index, current); });
    }
    done_.store(0, std::memory_order_relaxed);
    unsigned generation;
    {
      // The job is published under wake_mutex_ together with its generation, so a worker's
      // snapshot of (generation, job) is always consistent.
      std::lock_guard<std::mutex> lock(wake_mutex_);
      generation = generation_.load(std::memory_order_relaxed) + 1;
      job_ = Job{&fn, n_tasks, helpers, generation};
      claim_.store(std::uint64_t{generation} << 32, std::memory_order_release);
      generation_.store(generation, std::memory_order_release);
    }
    wake_.notify_all();

    // The caller waits for every task to be done, not for every helper to show up: a helper
    // that finds no task left never touches fn, so one the OS has not scheduled (another
    // process holds its core) cannot hold the caller. Waited for even if a task throws here.
    struct WaitForTasks {
      Pool* pool;
      unsigned generation;
      int n_tasks;
      ~WaitForTasks() {
        pool->abandon_unclaimed(generation, n_tasks);
        int spins = 0;
        while (pool->done_.load(std::memory_order_acquire) != n_tasks) {
          if (++spins < 4096) {
            cpu_relax();
          } else {
            std::this_thread::yield();
          }
        }
      }
    } wait_for_tasks{this, generation, n_tasks};
    drain(&fn, generation, n_tasks);
    return true;
  }

 private:
  // Claims and runs tasks of `generation` until none is left. Each claimed task counts as done
  // when it ends, even by a throw; fn is dereferenced only for a claimed task, whose caller is
  // still waiting.
  void drain(const std::function<void(int)>* fn, unsigned generation, int n_tasks) {
    struct InsideTask {
      InsideTask() { t_inside_task = true; }
      ~InsideTask() { t_inside_task = false; }
    } inside;
    for (int task; (task = claim(generation, n_tasks)) >= 0;) {
      struct Done {
        std::atomic<int>* done;
        ~Done() { done->fetch_add(1, std::memory_order_release); }
      } done{&done_};
      (*fn)(task);
    }
  }

  // The next task of `generation`, or -1 when its tasks are all claimed or a newer call began.
  // Generation and task share one word, so a helper late from an earlier call can never take a
  // task of the current one.
  int claim(unsigned generation, int n_tasks) {
    std::uint64_t word = claim_.load(std::memory_order_acquire);
    for (;;) {
      if (static_cast<unsigned>(word >> 32) != generation) return -1;
      const int task = static_cast<int>(word & 0xffffffffu);
      if (task >= n_tasks) return -1;
      if (claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        return task;
      }
    }
  }

  // Closes the call to new claims and counts the tasks nobody claimed as done: none after a
  // normal drain, the rest after a task threw on the calling thread.
  void abandon_unclaimed(unsigned generation, int n_tasks) {
    const std::uint64_t closed = (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(n_tasks);
    const std::uint64_t word = claim_.exchange(closed, std::memory_order_acq_rel);
    const int claimed = std::min(static_cast<int>(word & 0xffffffffu), n_tasks);
    done_.fetch_add(n_tasks - claimed, std::memory_order_release);
  }

  // `seen` starts at the generation current when the worker was started: older jobs are done.
  void worker_loop(int index, unsigned seen) {
    for (;;) {
      const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
      for (int i = 0; generation_.load(std::memory_order_acquire) == seen && !stop_.load(); ++i) {
        cpu_relax();
        if ((i & 255) == 255 && std::chrono::steady_clock::now() > spin_until) break;
      }
      Job job;
      {
        std::unique_lock<std::mutex> lock(wake_mutex_);
        wake_.wait(lock, [&] {
          return stop_.load() || generation_.load(std::memory_order_relaxed) != seen;
        });
        if (stop_.load()) return;
        seen = generation_.load(std::memory_order_relaxed);
        job = job_;
      }
      // Workers past this call's thread count sit it out (set_num_threads lowered it).
      if (index < job.helpers) drain(job.fn, job.generation, job.n_tasks);
    }
  }

  struct Job {
    const std::function<void(int)>* fn = nullptr;
    int n_tasks = 0;
    int helpers = 0;
    unsigned generation = 0;
  };

  std::mutex run_mutex_;
  std::vector<std::thread> workers_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::atomic<unsigned> generation_{0};
  std::atomic<bool> stop_{false};

  Job job_;  // guarded by wake_mutex_
  // (generation << 32) | next task of that generation.
  std::atomic<std::uint64_t> claim_{0};
  // Tasks of the current call that have ended.
  std::atomic<int> done_{0};
};

#if defined(_WIN32)
// Never destroyed on Windows: a DLL's static destructors run at DLL_PROCESS_DETACH, after
// ExitProcess has ended the workers wherever they were (inside a wait, holding its internal
// locks), and under the loader lock; waking or joining them there never returns (Microsoft's
// DllMain best practices; seen with the MinGW build under wine, which hung at exit). The process
// takes the workers with it.
Pool& pool() {
  static Pool* const instance = new Pool;
  return *instance;
}
#else
Pool& pool() {
  static Pool instance;
  return instance;
}
#endif

}  // namespace

int max_threads() {
  static const int limit = compute_max_threads();
  return limit;
}

int num_threads() { return thread_count_slot().load(std::memory_order_relaxed); }

void set_num_threads(int n) {
  thread_count_slot().store(clamp_threads(n), std::memory_order_relaxed);
}

void parallel_for(int n_tasks, const std::function<void(int task)>& fn) {
  if (n_tasks <= 0) return;
  const int threads = num_threads();
  if (threads > 1 && n_tasks > 1 && !t_inside_task && !pool_destroyed.load() &&
      pool().run(n_tasks, threads, fn)) {
    return;
  }
  for (int task = 0; task < n_tasks; ++task) fn(task);
}

}  // namespace myelin
