from celery import shared_task

from accounts import services


@shared_task
def invitations_purge_expired():
    return services.invitations_purge_expired()
