export { loadDigits, type Dataset } from './datasets';
export { trainTestSplit, type TrainTestSplit } from './split';
