/**
 * The callbacks namespace: the Callback base class and factories named as in TensorFlow.js
 * (callbacks.earlyStopping({...})). fit() also takes plain objects of hooks.
 */
export { Callback, type CallbackParams, type CustomCallbackArgs, type Logs } from './callback';
export { History, history } from './history';
export { EarlyStopping, earlyStopping, type EarlyStoppingConfig } from './early-stopping';
export { ReduceLROnPlateau, reduceLROnPlateau, type ReduceLROnPlateauConfig } from './reduce-lr';
export { LearningRateScheduler, learningRateScheduler, type LearningRateSchedulerConfig, type Schedule } from './lr-scheduler';
export { TerminateOnNaN, terminateOnNaN } from './terminate-on-nan';
export { CsvLogger, csvLogger, type CsvLoggerConfig } from './csv-logger';
export { ModelCheckpoint, modelCheckpoint, type ModelCheckpointConfig } from './model-checkpoint';
export type { MonitorMode } from './monitor';
