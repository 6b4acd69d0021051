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
// Async programs of one JS thread run one at a time, in the order queued: one lane per Node
// environment (the main thread, each worker thread), drained by one libuv work item that runs
// program after program without going back to the JS thread in between; each result reaches JS
// as soon as its program is done, through a threadsafe function.
//
// Environments end (a worker terminated or calling process.exit()) while programs wait or run.
// Node waits for the libuv work item before it tears the environment down, so the kernels never
// outlive the arrays they read; but a result can then no longer be delivered, and nothing may
// throw across a libuv callback (node-addon-api would turn a failed call into a C++ exception
// there, which ends the process). So the async path below speaks plain Node-API, checks every
// status, and gives up quietly: a result that cannot be delivered closes the lane (the drainer
// stops after the program it runs), and the environment's cleanup hook drops whatever still
// waits, unrun.
#include "program.h"

#include <node_api.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
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

// Throws the pending JS error for a failed Node-API call; only inside a call from JavaScript.
void check(napi_env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);
}

// Deletes a reference, ignoring the status: called where nothing could be done about a failure
// (node-addon-api's Reference::Reset would end the process on one).
void delete_reference(napi_env env, napi_ref* ref) {
  if (*ref != nullptr) napi_delete_reference(env, *ref);
  *ref = nullptr;
}

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

  explicit Program(napi_env env) : env_(env) { t_live.insert(this); }
  ~Program() {
    t_live.erase(this);
    release();
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // Pins the call's typed arrays in one JS array held by one reference: a reference each cost
  // more than the recording of a step's other work together.
  void append(const Napi::CallbackInfo& info, Op op) {
    for (std::size_t i = 0; i < info.Length(); ++i) {
      if (!info[i].IsTypedArray()) continue;
      if (pins_ == nullptr) {
        check(env_, napi_create_reference(env_, Napi::Array::New(info.Env()), 1, &pins_));
      }
      pinned().Set(pinned_++, info[i]);
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

  // Main thread: an async run's promise, and a reference to the program's own External, which
  // keeps the program alive until it is settled or dropped.
  napi_value await_async(napi_value handle) {
    napi_value promise = nullptr;
    check(env_, napi_create_promise(env_, &deferred_, &promise));
    check(env_, napi_create_reference(env_, handle, 1, &handle_));
    return promise;
  }

  // Main thread, once the async run is done: resolves its promise. False if the environment can
  // no longer run JavaScript (it is going away); the program is then released all the same.
  bool settle_async(Outcome outcome) {
    napi_value value = nullptr;
    const bool made = result(outcome, &value);
    const bool resolved = made && deferred_ != nullptr && napi_resolve_deferred(env_, deferred_, value) == napi_ok;
    if (resolved) deferred_ = nullptr;  // a resolved deferred is freed by Node-API
    release();
    return resolved;
  }

  // Main thread, after the run, or when the environment goes away: unpins the arrays and lets
  // the program's External be collected. An unresolved deferred is left to the environment.
  void release() {
    ops_.clear();
    delete_reference(env_, &pins_);
    delete_reference(env_, &handle_);
  }

  // { outcome, scalars }; false if a Node-API call failed.
  bool result(Outcome outcome, napi_value* out) const {
    napi_value object = nullptr, name = nullptr, buffer = nullptr, scalars = nullptr;
    void* data = nullptr;
    const std::size_t bytes = scalars_.size() * sizeof(double);
    if (napi_create_object(env_, &object) != napi_ok ||
        napi_create_string_utf8(env_, outcome_name(outcome), NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_set_named_property(env_, object, "outcome", name) != napi_ok ||
        napi_create_arraybuffer(env_, bytes, &data, &buffer) != napi_ok ||
        napi_create_typedarray(env_, napi_float64_array, scalars_.size(), buffer, 0, &scalars) !=
            napi_ok ||
        napi_set_named_property(env_, object, "scalars", scalars) != napi_ok) {
      return false;
    }
    if (bytes > 0) std::copy(scalars_.begin(), scalars_.end(), static_cast<double*>(data));
    *out = object;
    return true;
  }

 private:
  Napi::Array pinned() const {
    napi_value array = nullptr;
    check(env_, napi_get_reference_value(env_, pins_, &array));
    return Napi::Array(env_, array);
  }

  napi_env env_;
  std::vector<Op> ops_;
  napi_ref pins_ = nullptr;
  std::uint32_t pinned_ = 0;
  std::vector<double> scalars_;
  std::atomic<bool> cancelled_{false};
  bool claimed_ = false;
  napi_deferred deferred_ = nullptr;
  napi_ref handle_ = nullptr;
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
  t_recording = new Program(info.Env());
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
  napi_value value = nullptr;
  if (!program.result(outcome, &value)) throw Napi::Error::New(info.Env());
  return Napi::Value(info.Env(), value);
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

struct Done {
  Program* program;
  Outcome outcome;
};

// The async programs of one Node environment: waiting their turn, running, and done but not yet
// settled. The environment's instance data; a drainer borrows it while it runs, and Node waits
// for the drainer before the environment (and so the lane) goes away.
struct Lane {
  std::mutex mutex;
  std::deque<Program*> waiting;
  std::vector<Done> done;
  Program* running = nullptr;
  bool draining = false;  // a drainer is taking programs
  bool closing = false;   // the environment is going away: no program starts any more
};

// Settles the lane's done programs. Main thread, from a Node-API callback: must not throw. A
// result that cannot be delivered means the environment is going away: the lane closes and the
// program running is cancelled, so that Node, which waits for the drainer, does not wait long.
void settle_done(Lane* lane) {
  std::vector<Done> done;
  {
    std::lock_guard<std::mutex> lock(lane->mutex);
    done.swap(lane->done);
  }
  bool delivered = true;
  for (const Done& d : done) delivered = d.program->settle_async(d.outcome) && delivered;
  if (!delivered) {
    std::lock_guard<std::mutex> lock(lane->mutex);
    lane->closing = true;
    if (lane->running != nullptr) lane->running->cancel();
  }
}

// Runs a lane's programs one after another on a libuv thread until none waits (or the lane
// closes), waking the main thread through `wake` as each is done.
struct Drainer {
  Lane* lane;
  napi_async_work work = nullptr;
  napi_threadsafe_function wake = nullptr;
};

void drain(napi_env /*env*/, void* data) {
  auto* drainer = static_cast<Drainer*>(data);
  Lane* lane = drainer->lane;
  for (;;) {
    Program* next = nullptr;
    {
      std::lock_guard<std::mutex> lock(lane->mutex);
      if (lane->closing || lane->waiting.empty()) {
        lane->draining = false;
        return;
      }
      next = lane->waiting.front();
      lane->waiting.pop_front();
      lane->running = next;
    }
    const Outcome outcome = run_counted(*next);
    {
      std::lock_guard<std::mutex> lock(lane->mutex);
      lane->running = nullptr;
      lane->done.push_back(Done{next, outcome});
    }
    // Closing, the call fails; the drainer's completion settles what is left.
    napi_call_threadsafe_function(drainer->wake, nullptr, napi_tsfn_nonblocking);
  }
}

// The threadsafe function's call, on the main thread; env is null when it is being torn down.
void on_wake(napi_env env, napi_value /*js_callback*/, void* context, void* /*data*/) {
  if (env != nullptr) settle_done(static_cast<Lane*>(context));
}

void on_drained(napi_env env, napi_status /*status*/, void* data) {
  auto* drainer = static_cast<Drainer*>(data);
  settle_done(drainer->lane);
  napi_release_threadsafe_function(drainer->wake, napi_tsfn_release);
  napi_delete_async_work(env, drainer->work);
  delete drainer;
}

// Queues a drainer for the lane; throws (in a JS call) if Node-API refuses.
void start_drainer(napi_env env, Lane* lane) {
  auto* drainer = new Drainer{lane};
  napi_value name = nullptr;
  napi_status status = napi_create_string_utf8(env, "myelin:programs", NAPI_AUTO_LENGTH, &name);
  if (status == napi_ok) {
    status = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr,
                                             lane, on_wake, &drainer->wake);
  }
  if (status == napi_ok) {
    status = napi_create_async_work(env, nullptr, name, drain, on_drained, drainer, &drainer->work);
    if (status != napi_ok) napi_release_threadsafe_function(drainer->wake, napi_tsfn_release);
  }
  if (status == napi_ok) {
    status = napi_queue_async_work(env, drainer->work);
    if (status != napi_ok) {
      napi_release_threadsafe_function(drainer->wake, napi_tsfn_release);
      napi_delete_async_work(env, drainer->work);
    }
  }
  if (status != napi_ok) {
    delete drainer;
    check(env, status);
  }
}

// The environment is going away (Node has waited for any drainer): programs still waiting are
// dropped unrun and their promises left unsettled, as JavaScript can no longer see them.
void close_lane(void* data) {
  auto* lane = static_cast<Lane*>(data);
  std::deque<Program*> waiting;
  std::vector<Done> done;
  {
    std::lock_guard<std::mutex> lock(lane->mutex);
    lane->closing = true;
    waiting.swap(lane->waiting);
    done.swap(lane->done);
  }
  for (Program* program : waiting) program->release();
  for (const Done& d : done) d.program->release();
}

// This environment's lane, made on first use with its cleanup hook.
Lane& lane_of(napi_env env) {
  void* data = nullptr;
  check(env, napi_get_instance_data(env, &data));
  if (data != nullptr) return *static_cast<Lane*>(data);
  auto* lane = new Lane();
  const napi_status status = napi_set_instance_data(
      env, lane, [](napi_env, void* finalized, void*) { delete static_cast<Lane*>(finalized); },
      nullptr);
  if (status != napi_ok) delete lane;
  check(env, status);
  check(env, napi_add_env_cleanup_hook(env, close_lane, lane));
  return *lane;
}

Napi::Value run_program_async(const Napi::CallbackInfo& info) {
  Lane& lane = lane_of(info.Env());
  Program& program = claimed_program(info, "runProgramAsync");
  napi_value promise = program.await_async(info[0]);
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(lane.mutex);
    lane.waiting.push_back(&program);
    start = !std::exchange(lane.draining, true);
  }
  if (start) {
    try {
      start_drainer(info.Env(), &lane);
    } catch (...) {
      {
        std::lock_guard<std::mutex> lock(lane.mutex);
        lane.waiting.pop_back();
        lane.draining = false;
      }
      program.release();
      throw;
    }
  }
  return Napi::Value(info.Env(), promise);
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
