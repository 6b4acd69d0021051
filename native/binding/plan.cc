// Plans: a training step, an evaluation batch or a prediction, as the list of its kernel calls
// with their arguments decoded and checked once, when the plan is made, and run as often as
// needed, here or on a libuv thread, one step or many steps per run.
//
// createPlan(calls, inputCount) -> plan
//   calls: [name, ...arguments] each, the arguments as the kernel `name` takes them when called
//   directly (the same decoder checks them), except that a number may be { planInput: i }, read
//   from the run's inputs at every step; and ['guardFinite', v], which stops the step unless
//   value v (the v-th call with a value) is finite.
// describePlan(plan) -> string[]    each call: its name and arguments, arrays as b<id>
// runPlan(plan, steps, inputs, values) -> { outcome, steps }     on this thread
// runPlanAsync(plan, steps, inputs, values, budgetMs) -> Promise<{ outcome, steps }>
// cancelPlan(plan, whole)  the run in flight stops before its next call, or (whole) after the
//                       step it is in ('cancelled')
// planStats() -> { runs, running, mostAtOnce }   async runs so far, now, and at most at once
//   inputs: steps x inputCount doubles, row s read at step s; values: steps x valueCount
//   doubles, row s written with step s's values (NaN where a stopped step did not get to).
//   outcome: 'completed' (every step ran), 'stopped' (a guard stopped step `steps` - 1),
//   'cancelled', or 'paused' (budgetMs passed before every step ran; `steps` ran).
//
// A plan pins the arrays of its calls (its JS array of calls, held by one reference) for as long
// as it lives, and one run at a time uses it: its kernels write its buffers. The arrays are the
// model's own (arena, workspaces, gather buffers), which no caller can transfer away; a caller's
// array never reaches a plan (lib copies or gathers it first).
//
// Async runs of one JS thread run one at a time, in the order queued: one lane per Node
// environment (the main thread, each worker thread), drained by one libuv work item that runs one
// queued run after another without going back to the JS thread in between; each result reaches JS
// as soon as its run is done, through a threadsafe function.
//
// Environments end (a worker terminated or calling process.exit()) while runs wait or run. Node
// waits for the libuv work item before it tears the environment down, so the kernels never
// outlive the arrays they use; but a result can then no longer be delivered, and nothing may
// throw across a libuv callback (node-addon-api would turn a failed call into a C++ exception
// there, which ends the process). So the async path below speaks plain Node-API, checks every
// status, and gives up quietly: a result that cannot be delivered closes the lane (the drainer
// stops after the run in progress, which is cancelled), and the environment's cleanup hook
// drops whatever still waits, unrun.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

enum class Outcome { completed, stopped, cancelled, paused };

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::completed: return "completed";
    case Outcome::stopped: return "stopped";
    case Outcome::cancelled: return "cancelled";
    case Outcome::paused: return "paused";
  }
  return "completed";
}

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

class Plan;
struct Run;

// Plans alive on this thread: an External passed back from JS is trusted only if it is one.
thread_local std::unordered_set<const Plan*> t_live;

class Plan {
 public:
  // One call: a kernel, a kernel whose value goes to values[slot], or (kernel and value both
  // empty) a guard that stops the step unless values[slot] is finite.
  struct Call {
    KernelCall kernel;
    int slot = -1;
  };

  Plan(napi_env env, std::size_t input_count) : env_(env), inputs_(input_count, 0.0) {
    context_.inputs = inputs_.data();
    context_.count = inputs_.size();
    t_live.insert(this);
  }
  ~Plan() {
    t_live.erase(this);
    delete_reference(env_, &pins_);
  }
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  const PlanContext* context() const { return &context_; }

  // Keeps the calls' arrays alive as long as the plan: the JS array of calls holds them all.
  void pin(const Napi::Array& calls) { check(env_, napi_create_reference(env_, calls, 1, &pins_)); }

  void add(Call call, std::string description) {
    if (call.kernel.value) call.slot = static_cast<int>(value_count_++);
    calls_.push_back(std::move(call));
    descriptions_.push_back(std::move(description));
  }

  std::size_t value_count() const { return value_count_; }
  std::size_t input_count() const { return inputs_.size(); }
  const std::vector<std::string>& descriptions() const { return descriptions_; }

  // One run at a time; main thread.
  bool busy() const { return active_ != nullptr || running_sync_; }
  void set_active(Run* run) { active_ = run; }
  Run* active() const { return active_; }
  void set_running_sync(bool running) { running_sync_ = running; }

  // Runs the steps of a run: step s reads inputs row s and writes values row s. Stops at a
  // guard; when `cancelled` is set, before the next call; when `stop` is set, or once `deadline`
  // has passed, after a whole step. Any thread; returns the outcome and how many steps ran.
  std::pair<Outcome, std::int64_t> run(std::int64_t steps, const double* inputs, double* values,
                                       const std::atomic<bool>& cancelled,
                                       const std::atomic<bool>& stop,
                                       std::chrono::steady_clock::time_point deadline) {
    std::vector<double> current(value_count_);
    for (std::int64_t s = 0; s < steps; ++s) {
      // Cancelled before the step began (a queued run): none of it ran.
      if (cancelled.load(std::memory_order_relaxed)) return {Outcome::cancelled, s};
      std::copy(inputs + s * inputs_.size(), inputs + (s + 1) * inputs_.size(), inputs_.begin());
      std::fill(current.begin(), current.end(), std::numeric_limits<double>::quiet_NaN());
      Outcome outcome = Outcome::completed;
      for (const Call& call : calls_) {
        if (cancelled.load(std::memory_order_relaxed)) {
          outcome = Outcome::cancelled;
          break;
        }
        if (call.kernel.run) {
          call.kernel.run();
        } else if (call.kernel.value) {
          current[static_cast<std::size_t>(call.slot)] = call.kernel.value();
        } else if (!std::isfinite(current[static_cast<std::size_t>(call.slot)])) {
          outcome = Outcome::stopped;
          break;
        }
      }
      std::copy(current.begin(), current.end(), values + s * value_count_);
      if (outcome != Outcome::completed) return {outcome, s + 1};
      if (s + 1 < steps && stop.load(std::memory_order_relaxed)) return {Outcome::cancelled, s + 1};
      if (s + 1 < steps && std::chrono::steady_clock::now() >= deadline) {
        return {Outcome::paused, s + 1};
      }
    }
    return {Outcome::completed, steps};
  }

 private:
  napi_env env_;
  std::vector<double> inputs_;
  PlanContext context_;
  std::vector<Call> calls_;
  std::vector<std::string> descriptions_;
  std::size_t value_count_ = 0;
  napi_ref pins_ = nullptr;
  Run* active_ = nullptr;
  bool running_sync_ = false;
};

Plan& plan_arg(const Napi::CallbackInfo& info, const char* function) {
  if (info.Length() >= 1 && info[0].IsExternal()) {
    auto* plan = info[0].As<Napi::External<Plan>>().Data();
    if (t_live.count(plan) != 0) return *plan;
  }
  throw Napi::TypeError::New(info.Env(), std::string(function) +
                                             " expects a plan made by createPlan on this thread");
}

// How an argument reads in describePlan: arrays by the id of their memory, numbers as numbers.
std::string describe_argument(const Napi::Value& value, std::map<const void*, int>* ids) {
  if (value.IsTypedArray()) {
    const auto array = value.As<Napi::TypedArray>();
    const void* start = static_cast<const std::uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
    const auto found = ids->emplace(start, static_cast<int>(ids->size())).first;
    return "b" + std::to_string(found->second) + "[" + std::to_string(array.ElementLength()) + "]";
  }
  if (value.IsNull() || value.IsUndefined()) return "-";
  if (value.IsObject() && !value.IsArray()) {
    const Napi::Value input = value.As<Napi::Object>().Get("planInput");
    if (input.IsNumber()) return "input" + input.ToString().Utf8Value();
  }
  return value.ToString().Utf8Value();
}

// createPlan(calls, inputCount)
Napi::Value create_plan(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 2, "createPlan");
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "Expected an array of calls for calls");
  const Napi::Array calls = info[0].As<Napi::Array>();
  const int input_count = dimension(info, 1, "inputCount");
  auto* plan = new Plan(env, static_cast<std::size_t>(input_count));
  try {
    std::map<const void*, int> ids;
    for (std::uint32_t i = 0; i < calls.Length(); ++i) {
      const std::string where = "calls[" + std::to_string(i) + "]";
      const Napi::Value entry = calls.Get(i);
      if (!entry.IsArray() || entry.As<Napi::Array>().Length() == 0 ||
          !entry.As<Napi::Array>().Get(0u).IsString()) {
        throw Napi::TypeError::New(env, "Expected [name, ...arguments] for " + where);
      }
      const Napi::Array call = entry.As<Napi::Array>();
      const std::string name = call.Get(0u).As<Napi::String>().Utf8Value();
      std::string description = name + "(";
      for (std::uint32_t a = 1; a < call.Length(); ++a) {
        description += (a > 1 ? ", " : "") + describe_argument(call.Get(a), &ids);
      }
      description += ")";
      const Args args(env, call, 1, plan->context());
      if (name == "guardFinite") {
        expect_arg_count(args, 1, "guardFinite");
        const int slot = dimension(args, 0, "value");
        if (static_cast<std::size_t>(slot) >= plan->value_count()) {
          throw Napi::RangeError::New(env, "Expected the index of an earlier call's value (below " +
                                               std::to_string(plan->value_count()) + ") for " +
                                               where + " but received " + std::to_string(slot));
        }
        plan->add(Plan::Call{{}, slot}, description);
        continue;
      }
      const Decoder* decode = find_decoder(name);
      if (decode == nullptr) {
        throw Napi::RangeError::New(env, "Expected the name of a kernel for " + where +
                                             " but received '" + name + "'");
      }
      try {
        plan->add(Plan::Call{(*decode)(args), -1}, description);
      } catch (const Napi::Error& error) {
        // The decoder's message names the argument; say which call it was.
        throw Napi::Error::New(env, where + " (" + name + "): " + error.Message());
      }
    }
    plan->pin(calls);
  } catch (...) {
    delete plan;
    throw;
  }
  return Napi::External<Plan>::New(env, plan, [](Napi::Env, Plan* done) { delete done; });
}

Napi::Value describe_plan(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 1, "describePlan");
  const Plan& plan = plan_arg(info, "describePlan");
  Napi::Array out = Napi::Array::New(info.Env(), plan.descriptions().size());
  for (std::uint32_t i = 0; i < plan.descriptions().size(); ++i) out.Set(i, plan.descriptions()[i]);
  return out;
}

// The checked arguments of a run: its step count and the inputs and values arrays, as long as
// the plan needs for that many steps.
struct RunArgs {
  std::int64_t steps;
  const double* inputs;
  double* values;
};

double* float64_data(const Napi::CallbackInfo& info, std::size_t index, const char* name,
                     std::int64_t expected) {
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(info.Env(), std::string("Expected a Float64Array for ") + name);
  }
  Napi::Float64Array array = value.As<Napi::Float64Array>();
  if (static_cast<std::int64_t>(array.ElementLength()) != expected) {
    throw Napi::RangeError::New(info.Env(), std::string("Expected ") + name + " to hold " +
                                                std::to_string(expected) + " doubles but its length is " +
                                                std::to_string(array.ElementLength()));
  }
  return array.Data();
}

RunArgs run_args(const Napi::CallbackInfo& info, const Plan& plan) {
  const int steps = dimension(info, 1, "steps");
  if (steps < 1) throw Napi::RangeError::New(info.Env(), "Expected at least 1 for steps but received 0");
  return RunArgs{steps,
                 float64_data(info, 2, "inputs", steps * static_cast<std::int64_t>(plan.input_count())),
                 float64_data(info, 3, "values", steps * static_cast<std::int64_t>(plan.value_count()))};
}

// { outcome, steps }; false if a Node-API call failed.
bool result_object(napi_env env, Outcome outcome, std::int64_t steps, napi_value* out) {
  napi_value object = nullptr, name = nullptr, count = nullptr;
  if (napi_create_object(env, &object) != napi_ok ||
      napi_create_string_utf8(env, outcome_name(outcome), NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_set_named_property(env, object, "outcome", name) != napi_ok ||
      napi_create_int64(env, steps, &count) != napi_ok ||
      napi_set_named_property(env, object, "steps", count) != napi_ok) {
    return false;
  }
  *out = object;
  return true;
}

const auto kNoDeadline = std::chrono::steady_clock::time_point::max();

// runPlan(plan, steps, inputs, values)
Napi::Value run_plan(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 4, "runPlan");
  Plan& plan = plan_arg(info, "runPlan");
  if (plan.busy()) throw Napi::Error::New(info.Env(), "runPlan: this plan is running already");
  const RunArgs args = run_args(info, plan);
  const std::atomic<bool> never{false};
  plan.set_running_sync(true);
  const auto [outcome, steps] =
      plan.run(args.steps, args.inputs, args.values, never, never, kNoDeadline);
  plan.set_running_sync(false);
  napi_value value = nullptr;
  if (!result_object(info.Env(), outcome, steps, &value)) throw Napi::Error::New(info.Env());
  return Napi::Value(info.Env(), value);
}

// Async runs: counted so that tests can check that a lane never runs two at once.
std::atomic<int> g_async_runs{0};
std::atomic<int> g_async_running{0};
std::atomic<int> g_async_most{0};

// One queued run: the plan (kept alive by a reference to its External), its arrays (referenced
// until it settles), the promise, and, once done, its outcome.
struct Run {
  napi_env env;
  Plan* plan;
  RunArgs args;
  std::chrono::milliseconds budget;
  std::atomic<bool> cancelled{false};  // stop before the next call
  std::atomic<bool> stop{false};       // stop after the step in progress
  napi_ref handle = nullptr;   // the plan's External
  napi_ref arrays = nullptr;   // [inputs, values]
  napi_deferred deferred = nullptr;
  Outcome outcome = Outcome::completed;
  std::int64_t steps_run = 0;

  void execute() {
    g_async_runs.fetch_add(1);
    const int now = g_async_running.fetch_add(1) + 1;
    int most = g_async_most.load();
    while (now > most && !g_async_most.compare_exchange_weak(most, now)) {
    }
    const auto deadline = budget.count() > 0 ? std::chrono::steady_clock::now() + budget : kNoDeadline;
    std::tie(outcome, steps_run) =
        plan->run(args.steps, args.inputs, args.values, cancelled, stop, deadline);
    g_async_running.fetch_sub(1);
  }

  // Main thread: resolves the promise. False if the environment can no longer run JavaScript
  // (it is going away); the run is released all the same.
  bool settle() {
    napi_value value = nullptr;
    const bool resolved = result_object(env, outcome, steps_run, &value) && deferred != nullptr &&
                          napi_resolve_deferred(env, deferred, value) == napi_ok;
    if (resolved) deferred = nullptr;  // a resolved deferred is freed by Node-API
    release();
    return resolved;
  }

  // Main thread: lets go of the plan and the arrays; an unresolved deferred is left to the
  // environment.
  void release() {
    if (plan->active() == this) plan->set_active(nullptr);
    delete_reference(env, &arrays);
    delete_reference(env, &handle);
  }
};

// The async runs of one Node environment: waiting their turn, running, and done but not yet
// settled. The environment's instance data; a drainer borrows it while it runs, and Node waits
// for the drainer before the environment (and so the lane) goes away.
struct Lane {
  std::mutex mutex;
  std::deque<Run*> waiting;
  std::vector<Run*> done;
  Run* running = nullptr;
  bool draining = false;  // a drainer is taking runs
  bool closing = false;   // the environment is going away: no run starts any more
};

// Settles the lane's done runs. Main thread, from a Node-API callback: must not throw. A result
// that cannot be delivered means the environment is going away: the lane closes and the run in
// progress is cancelled, so that Node, which waits for the drainer, does not wait long.
void settle_done(Lane* lane) {
  std::vector<Run*> done;
  {
    std::lock_guard<std::mutex> lock(lane->mutex);
    done.swap(lane->done);
  }
  bool delivered = true;
  for (Run* run : done) {
    delivered = run->settle() && delivered;
    delete run;
  }
  if (!delivered) {
    std::lock_guard<std::mutex> lock(lane->mutex);
    lane->closing = true;
    if (lane->running != nullptr) lane->running->cancelled.store(true);
  }
}

// Runs a lane's runs one after another on a libuv thread until none waits (or the lane closes),
// waking the main thread through `wake` as each is done.
struct Drainer {
  Lane* lane;
  napi_async_work work = nullptr;
  napi_threadsafe_function wake = nullptr;
};

void drain(napi_env /*env*/, void* data) {
  auto* drainer = static_cast<Drainer*>(data);
  Lane* lane = drainer->lane;
  for (;;) {
    Run* next = nullptr;
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
    next->execute();
    {
      std::lock_guard<std::mutex> lock(lane->mutex);
      lane->running = nullptr;
      lane->done.push_back(next);
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
  napi_status status = napi_create_string_utf8(env, "myelin:plans", NAPI_AUTO_LENGTH, &name);
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

// The environment is going away (Node has waited for any drainer): runs still waiting are
// dropped unrun and their promises left unsettled, as JavaScript can no longer see them.
void close_lane(void* data) {
  auto* lane = static_cast<Lane*>(data);
  std::deque<Run*> waiting;
  std::vector<Run*> done;
  {
    std::lock_guard<std::mutex> lock(lane->mutex);
    lane->closing = true;
    waiting.swap(lane->waiting);
    done.swap(lane->done);
  }
  for (Run* run : waiting) {
    run->release();
    delete run;
  }
  for (Run* run : done) {
    run->release();
    delete run;
  }
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

// runPlanAsync(plan, steps, inputs, values, budgetMs)
Napi::Value run_plan_async(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 5, "runPlanAsync");
  Napi::Env env = info.Env();
  Lane& lane = lane_of(env);
  Plan& plan = plan_arg(info, "runPlanAsync");
  if (plan.busy()) throw Napi::Error::New(env, "runPlanAsync: this plan is running already");
  const RunArgs args = run_args(info, plan);
  const double budget = finite_number(info, 4, "budgetMs");
  if (budget < 0.0) throw Napi::RangeError::New(env, "Expected a number >= 0 for budgetMs");
  auto* run = new Run{env, &plan, args, std::chrono::milliseconds(static_cast<std::int64_t>(budget))};
  napi_value promise = nullptr;
  try {
    check(env, napi_create_reference(env, info[0], 1, &run->handle));
    Napi::Array arrays = Napi::Array::New(env, 2);
    arrays.Set(0u, info[2]);
    arrays.Set(1u, info[3]);
    check(env, napi_create_reference(env, arrays, 1, &run->arrays));
    check(env, napi_create_promise(env, &run->deferred, &promise));
  } catch (...) {
    run->release();
    delete run;
    throw;
  }
  plan.set_active(run);
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(lane.mutex);
    lane.waiting.push_back(run);
    start = !std::exchange(lane.draining, true);
  }
  if (start) {
    try {
      start_drainer(env, &lane);
    } catch (...) {
      {
        std::lock_guard<std::mutex> lock(lane.mutex);
        lane.waiting.pop_back();
        lane.draining = false;
      }
      run->release();
      delete run;
      throw;
    }
  }
  return Napi::Value(env, promise);
}

// cancelPlan(plan, whole)
Napi::Value cancel_plan(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 2, "cancelPlan");
  Plan& plan = plan_arg(info, "cancelPlan");
  const bool whole = boolean(info, 1, "whole");
  Run* run = plan.active();
  if (run != nullptr) (whole ? run->stop : run->cancelled).store(true);
  return info.Env().Undefined();
}

Napi::Value plan_stats(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 0, "planStats");
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("runs", g_async_runs.load());
  out.Set("running", g_async_running.load());
  out.Set("mostAtOnce", g_async_most.load());
  return out;
}

}  // namespace

void register_plans(Napi::Env env, Napi::Object exports) {
  exports.Set("createPlan", Napi::Function::New(env, create_plan, "createPlan"));
  exports.Set("describePlan", Napi::Function::New(env, describe_plan, "describePlan"));
  exports.Set("runPlan", Napi::Function::New(env, run_plan, "runPlan"));
  exports.Set("runPlanAsync", Napi::Function::New(env, run_plan_async, "runPlanAsync"));
  exports.Set("cancelPlan", Napi::Function::New(env, cancel_plan, "cancelPlan"));
  exports.Set("planStats", Napi::Function::New(env, plan_stats, "planStats"));
}

}  // namespace myelin::binding
