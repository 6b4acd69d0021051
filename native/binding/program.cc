// Programs (see program.h): recording, running on this thread or a libuv thread, cancelling.
//
// recordBegin()                 starts recording on this thread
// recordEnd() -> program        stops; the program is an External that JS passes back
// guardFinite(index)            (recorded) stops the program unless scalar `index` is finite
// runProgram(program) -> result runs it on this thread
// runProgramAsync(program) -> Promise<result>   queues it to run on a libuv thread
// cancelProgram(program)        a queued program will not start, a running one stops before its
//                               next kernel call
// programStats() -> { runs, running, mostAtOnce }   async runs so far, now, and at most at once
// result: { outcome: 'completed' | 'stopped' | 'cancelled', scalars: Float64Array }
//
// A program runs once. Its pins are released (on the main thread) as soon as it has run, so the
// arrays it borrowed do not wait for the garbage collector to collect the program.
//
// Async programs of one JS thread run one at a time, in the order queued: one lane per thread,
// drained by one libuv work item that runs program after program without going back to the main
// thread in between; each result reaches JS as soon as its program is done.
#include "program.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "args.h"
#include "bindings.h"

namespace myelin::binding {

namespace {

enum class Outcome { completed, stopped, cancelled };

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::completed: return "completed";
    case Outcome::stopped: return "stopped";
    case Outcome::cancelled: return "cancelled";
  }
  return "completed";
}

class Program;

// Programs alive on this thread: an External passed back from JS is trusted only if it is one.
thread_local std::unordered_set<const Program*> t_live;
// The program being recorded on this thread, if any.
thread_local Program* t_recording = nullptr;

class Program {
 public:
  // One recorded call: a kernel, a kernel whose value goes to scalars[slot], or a guard that
  // stops the program unless scalars[slot] is finite. Kept apart, not wrapped in one more
  // std::function each: a wrapper is one more allocation per call recorded.
  struct Op {
    std::function<void()> kernel;
    std::function<double()> scalar_kernel;
    int slot = -1;
  };

  Program() { t_live.insert(this); }
  ~Program() { t_live.erase(this); }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // Pins the call's typed arrays in one JS array held by one reference: a reference each cost
  // more than the recording of a step's other work together.
  void append(const Napi::CallbackInfo& info, Op op) {
    for (std::size_t i = 0; i < info.Length(); ++i) {
      if (!info[i].IsTypedArray()) continue;
      if (pins_.IsEmpty()) pins_ = Napi::Persistent(Napi::Array::New(info.Env()));
      pins_.Value().Set(pinned_++, info[i]);
    }
    ops_.push_back(std::move(op));
  }

  int add_scalar() {
    scalars_.push_back(std::numeric_limits<double>::quiet_NaN());
    return static_cast<int>(scalars_.size()) - 1;
  }

  int scalar_count() const { return static_cast<int>(scalars_.size()); }

  // False if it has run (or is running) already. Main thread.
  bool claim() { return !std::exchange(claimed_, true); }

  // Any thread; the program's arrays are pinned and the main thread does not touch it meanwhile.
  Outcome run() {
    for (const Op& op : ops_) {
      if (cancelled_.load(std::memory_order_relaxed)) return Outcome::cancelled;
      if (op.kernel) {
        op.kernel();
      } else if (op.scalar_kernel) {
        scalars_[static_cast<std::size_t>(op.slot)] = op.scalar_kernel();
      } else if (!std::isfinite(scalars_[static_cast<std::size_t>(op.slot)])) {
        return Outcome::stopped;
      }
    }
    return Outcome::completed;
  }

  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }

  // Main thread: an async run's promise, and the program's own External kept alive until then.
  Napi::Promise await_async(Napi::External<Program> handle) {
    deferred_ = std::make_unique<Napi::Promise::Deferred>(handle.Env());
    handle_ = Napi::Persistent(handle);
    return deferred_->Promise();
  }

  // Main thread, once the async run is done.
  void settle_async(Napi::Env env, Outcome outcome) {
    release();
    deferred_->Resolve(result(env, outcome));
    deferred_.reset();
    handle_.Reset();
  }

  // Main thread, after the run: unpins the arrays.
  void release() {
    ops_.clear();
    pins_.Reset();
  }

  Napi::Object result(Napi::Env env, Outcome outcome) const {
    Napi::Float64Array scalars = Napi::Float64Array::New(env, scalars_.size());
    std::copy(scalars_.begin(), scalars_.end(), scalars.Data());
    Napi::Object out = Napi::Object::New(env);
    out.Set("outcome", outcome_name(outcome));
    out.Set("scalars", scalars);
    return out;
  }

 private:
  std::vector<Op> ops_;
  Napi::Reference<Napi::Array> pins_;
  std::uint32_t pinned_ = 0;
  std::vector<double> scalars_;
  std::atomic<bool> cancelled_{false};
  bool claimed_ = false;
  std::unique_ptr<Napi::Promise::Deferred> deferred_;
  Napi::Reference<Napi::External<Program>> handle_;
};

Program& recording(const Napi::Env& env, const char* function) {
  if (t_recording == nullptr) {
    throw Napi::Error::New(env,
                           std::string(function) + " needs a program being recorded (recordBegin)");
  }
  return *t_recording;
}

Program& program_arg(const Napi::CallbackInfo& info, const char* function) {
  expect_arg_count(info, 1, function);
  if (info[0].IsExternal()) {
    auto* program = info[0].As<Napi::External<Program>>().Data();
    if (t_live.count(program) != 0) return *program;
  }
  throw Napi::TypeError::New(info.Env(), std::string(function) +
                                             " expects a program made by recordEnd on this thread");
}

Program& claimed_program(const Napi::CallbackInfo& info, const char* function) {
  Program& program = program_arg(info, function);
  if (!program.claim()) {
    throw Napi::Error::New(info.Env(), std::string(function) + ": this program has run already");
  }
  return program;
}

Napi::Value record_begin(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 0, "recordBegin");
  if (t_recording != nullptr) {
    throw Napi::Error::New(info.Env(), "recordBegin: a program is being recorded already");
  }
  t_recording = new Program();
  return info.Env().Undefined();
}

Napi::Value record_end(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 0, "recordEnd");
  Program* program = &recording(info.Env(), "recordEnd");
  t_recording = nullptr;
  return Napi::External<Program>::New(info.Env(), program,
                                      [](Napi::Env, Program* done) { delete done; });
}

// guardFinite(index)
Napi::Value guard_finite(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 1, "guardFinite");
  Program& program = recording(info.Env(), "guardFinite");
  const int index = dimension(info, 0, "index");
  if (index >= program.scalar_count()) {
    throw Napi::RangeError::New(info.Env(), "Expected the index of a recorded scalar (below " +
                                                std::to_string(program.scalar_count()) +
                                                ") but received " + std::to_string(index));
  }
  program.append(info, Program::Op{{}, {}, index});
  return info.Env().Undefined();
}

Napi::Value run_program(const Napi::CallbackInfo& info) {
  Program& program = claimed_program(info, "runProgram");
  const Outcome outcome = program.run();
  program.release();
  return program.result(info.Env(), outcome);
}

// Async runs: counted so that tests can check that a lane never runs two at once.
std::atomic<int> g_async_runs{0};
std::atomic<int> g_async_running{0};
std::atomic<int> g_async_most{0};

Outcome run_counted(Program& program) {
  g_async_runs.fetch_add(1);
  const int now = g_async_running.fetch_add(1) + 1;
  int most = g_async_most.load();
  while (now > most && !g_async_most.compare_exchange_weak(most, now)) {
  }
  const Outcome outcome = program.run();
  g_async_running.fetch_sub(1);
  return outcome;
}

// The async programs of one JS thread, waiting their turn. `draining`: a Drainer is taking them.
struct Lane {
  std::mutex mutex;
  std::deque<Program*> waiting;
  bool draining = false;
};

thread_local Lane t_lane;

struct Done {
  Program* program;
  Outcome outcome;
};

// Runs a lane's programs one after another on a libuv thread until none waits, handing each
// result back to the main thread as it is done.
class Drainer : public Napi::AsyncProgressQueueWorker<Done> {
 public:
  Drainer(Napi::Env env, Lane* lane)
      : Napi::AsyncProgressQueueWorker<Done>(env, "myelin:programs"), lane_(lane) {}

 protected:
  void Execute(const ExecutionProgress& progress) override {
    for (;;) {
      Program* next = nullptr;
      {
        std::lock_guard<std::mutex> lock(lane_->mutex);
        if (lane_->waiting.empty()) {
          lane_->draining = false;
          return;
        }
        next = lane_->waiting.front();
        lane_->waiting.pop_front();
      }
      const Done done{next, run_counted(*next)};
      progress.Send(&done, 1);
    }
  }

  void OnProgress(const Done* done, std::size_t count) override {
    for (std::size_t i = 0; i < count; ++i) done[i].program->settle_async(Env(), done[i].outcome);
  }

  void OnOK() override {}

 private:
  Lane* lane_;
};

Napi::Value run_program_async(const Napi::CallbackInfo& info) {
  Program& program = claimed_program(info, "runProgramAsync");
  Napi::Promise promise = program.await_async(info[0].As<Napi::External<Program>>());
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(t_lane.mutex);
    t_lane.waiting.push_back(&program);
    start = !std::exchange(t_lane.draining, true);
  }
  if (start) (new Drainer(info.Env(), &t_lane))->Queue();  // deletes itself when done
  return promise;
}

Napi::Value cancel_program(const Napi::CallbackInfo& info) {
  program_arg(info, "cancelProgram").cancel();
  return info.Env().Undefined();
}

Napi::Value program_stats(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 0, "programStats");
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("runs", g_async_runs.load());
  out.Set("running", g_async_running.load());
  out.Set("mostAtOnce", g_async_most.load());
  return out;
}

}  // namespace

Napi::Value dispatch(const Napi::CallbackInfo& info, std::function<void()> kernel) {
  if (t_recording == nullptr) {
    kernel();
  } else {
    t_recording->append(info, Program::Op{std::move(kernel), {}, -1});
  }
  return info.Env().Undefined();
}

Napi::Value dispatch_scalar(const Napi::CallbackInfo& info, std::function<double()> kernel) {
  if (t_recording == nullptr) return Napi::Number::New(info.Env(), kernel());
  const int index = t_recording->add_scalar();
  t_recording->append(info, Program::Op{{}, std::move(kernel), index});
  return Napi::Number::New(info.Env(), index);
}

void register_program(Napi::Env env, Napi::Object exports) {
  exports.Set("recordBegin", Napi::Function::New(env, record_begin, "recordBegin"));
  exports.Set("recordEnd", Napi::Function::New(env, record_end, "recordEnd"));
  exports.Set("guardFinite", Napi::Function::New(env, guard_finite, "guardFinite"));
  exports.Set("runProgram", Napi::Function::New(env, run_program, "runProgram"));
  exports.Set("runProgramAsync", Napi::Function::New(env, run_program_async, "runProgramAsync"));
  exports.Set("cancelProgram", Napi::Function::New(env, cancel_program, "cancelProgram"));
  exports.Set("programStats", Napi::Function::New(env, program_stats, "programStats"));
}

}  // namespace myelin::binding
