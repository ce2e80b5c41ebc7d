// k6/metrics: Counter, Gauge, Rate and Trend, recorded into state.mjs.
import { add, declare } from "./state.mjs";

class Metric {
  /**
   * @param {string} name
   * @param {import("./state.mjs").MetricType} type
   * @param {boolean} isTime
   */
  constructor(name, type, isTime) {
    declare(name, type, isTime);
    this.name = name;
  }

  /**
   * @param {number | boolean} value
   * @param {Record<string, string>} [tags]
   */
  add(value, tags) {
    add(this.name, typeof value === "boolean" ? Number(value) : value, tags);
  }
}

export class Counter extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, "counter", false);
  }
}

export class Gauge extends Metric {
  /** @param {string} name @param {boolean} [isTime] */
  constructor(name, isTime = false) {
    super(name, "gauge", isTime);
  }
}

/** A Rate counts the share of non-zero values (true, or any number other than 0). */
export class Rate extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, "rate", false);
  }

  /** @param {number | boolean} value @param {Record<string, string>} [tags] */
  add(value, tags) {
    super.add(value ? 1 : 0, tags);
  }
}

export class Trend extends Metric {
  /** @param {string} name @param {boolean} [isTime] */
  constructor(name, isTime = false) {
    super(name, "trend", isTime);
  }
}
