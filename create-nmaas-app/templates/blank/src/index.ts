/**
 * The measurement. The NMaaS runtime calls this function on the schedule in nmaas.yaml, at a
 * time when nothing else measures on the node; put one run of your measurement here.
 */
import { defineMeasurement } from '@nmaas/sdk';

/** The parameters declared in nmaas.yaml, already validated by the runtime. */
export interface Params {
  greeting: string;
}

export default defineMeasurement<Params>(async (ctx) => {
  // ctx.signal fires at the run deadline (schedule.duration): pass it to fetch() and timers.
  ctx.metrics.counter('blank_app_runs_total').inc();
  ctx.log.info('measuring', { run: ctx.run.number, node: ctx.run.node });
  // The structured result of this run, served on /results.
  ctx.result({ greeting: ctx.params.greeting, node: ctx.run.node, run: ctx.run.number });
});
