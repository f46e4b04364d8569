"""The daily jobs on rq's own scheduler (rq.cron.CronScheduler): run by `pact scheduler`
next to `pact worker`. Times are cron expressions in the scheduler's clock, UTC here:
16:30 UTC is 00:30 in Asia/Shanghai, 00:00 UTC is 08:00."""

from __future__ import annotations

from saas.jobs.agreements import expire_due_everywhere_today
from saas.jobs.rectifications import remind_everywhere

DAILY = (
    (expire_due_everywhere_today, "30 16 * * *"),  # 到期终止, measures that ran out
    (remind_everywhere, "0 0 * * *"),  # 整改提醒, at the start of the working day
)


def cron_scheduler(connection):
    """A CronScheduler with Pact's daily jobs registered on the default queue."""
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=connection)
    for func, cron in DAILY:
        scheduler.register(func, "default", cron=cron)
    return scheduler
