/**
 * A map that keeps its latest `capacity` keys, evicting the oldest, and makes a missing value on
 * demand. Buffers are kept this way per batch size (an epoch has at most two: the full batch and
 * the last), so a training step allocates nothing once its sizes have been seen, and a model that
 * predicts on many batch sizes still holds only a few.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K, make: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as K);
      value = make();
      this.entries.set(key, value);
    }
    return value;
  }
}
