"""Handing work to the job queue (django-rq over the portal's Redis) from a web request.

A Redis that is down or hung must not hold the request: redis-py waits for ever by default.
The request's own connection gives up after ``QUEUE_ENQUEUE_TIMEOUT`` and the caller learns
so through ``QueueUnavailable``, to say so to the user instead of waiting or failing with
an error page.
"""

from django.conf import settings


class QueueUnavailable(Exception):
    """The queue's Redis did not take the job."""


def enqueue(queue_name, function, *args, job_timeout, on_failure=None):
    """Put ``function(*args)`` on queue ``queue_name`` at once (the caller's data must be
    committed already); raises ``QueueUnavailable`` if Redis does not take it in time."""
    import django_rq
    import redis
    from rq import Callback

    timeout = settings.QUEUE_ENQUEUE_TIMEOUT
    connection = redis.Redis.from_url(
        settings.RQ_QUEUES[queue_name]["URL"],
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )
    try:
        return django_rq.get_queue(queue_name, connection=connection, commit_mode="auto").enqueue(
            function,
            *args,
            job_timeout=job_timeout,
            on_failure=Callback(on_failure) if on_failure else None,
        )
    except redis.RedisError as error:
        raise QueueUnavailable(str(error)) from error
    finally:
        connection.close()
