/** Loading and preparing data: files, the shipped and installed datasets, splitting, encoding, scaling. */
export { loadCsv, type CsvData, type LoadCsvArgs } from './csv';
export { loadDigits, type Dataset } from './datasets';
export { oneHot } from './encode';
export { loadFashionMnist, type FashionMnist, type LoadFashionMnistArgs } from './fashion-mnist';
export { loadIdx } from './idx';
export { minMaxScale, scalerFromJSON, standardize, type MinMaxScaleArgs, type MinMaxScaler, type MinMaxScalerJSON, type Scaler, type ScalerJSON, type StandardScaler, type StandardScalerJSON } from './scale';
export { trainTestSplit, type TrainTestSplit, type TrainTestSplitArgs } from './split';
