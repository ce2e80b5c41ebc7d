// @ts-check
// Browse: the catalogue mix at a constant arrival rate. Each arrival is a visit: the first page
// of events, EVENTS_PER_VISIT events opened, and with NEXT_PAGE_RATIO, FILTER_RATIO and
// SEARCH_RATIO the next page, a filter by status and date, a text search. Catalogue reads are
// served from the response cache (CATALOGUE_CACHE_MS), so this measures the cache and the HTTP
// path; a text search that misses the cache may be shed with 429 while the pool is busy.
//
//   k6 run -e BASE_URL=http://<ALB_DNS> -e RATE=50 -e DURATION=10m loadtest/browse.js
import { SLO_THRESHOLDS, SUMMARY_TREND_STATS, envDuration, envNumber } from "./lib/config.js";
import { browse } from "./lib/journeys.js";

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    browse: {
      executor: "constant-arrival-rate",
      // Visits per second (each about 3 to 5 requests, THINK_TIME apart).
      rate: envNumber("RATE", 20),
      timeUnit: "1s",
      duration: envDuration("DURATION", "5m"),
      // A visit lasts about EVENTS_PER_VISIT + 1 think times: RATE x that many VUs are busy.
      preAllocatedVUs: envNumber("VUS", 100),
      maxVUs: envNumber("MAX_VUS", 500),
    },
  },
  thresholds: SLO_THRESHOLDS,
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function () {
  browse();
}
