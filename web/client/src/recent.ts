/**
 * The last `capacity` ids seen, oldest evicted first. Enough to drop the records a resume or an
 * at-least-once redelivery sends twice, without growing for the life of a tab.
 */
export class RecentIds {
  // A Set iterates in insertion order, so its first element is the oldest.
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 2000) {}

  /** Remembers `id`; false when it was already there. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      this.ids.delete(this.ids.values().next().value as string);
    }
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
