"""Job files in an S3-compatible bucket (django-storages), downloaded through the web process.

The S3 server is moto's server mode: `.ci/run` starts one and sets S3_ENDPOINT_URL; without it
the test starts its own `moto_server` process on a free port. The second test runs a real worker
(a subprocess, as in test_worker_integration.py: PostgreSQL and Redis needed)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.db import transaction

from assessments.jobs import services as jobs
from assessments.jobs.models import Job
from assessments.reporting.services.export import export_job_start
from tests.assessments.jobs.test_worker_integration import (
    JOB_TIMEOUT,
    expected_export,
    job_now,
    wait_until,
)
from tests.factories import StaffUserFactory

BUCKET = "iscm-test-jobs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"no S3 server on port {port}")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    if endpoint := os.environ.get("S3_ENDPOINT_URL"):
        yield endpoint
        return
    port = free_port()
    moto_server = Path(sys.executable).with_name("moto_server")
    server = subprocess.Popen(
        [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket_storage(settings, s3_endpoint, tmp_path):
    credentials = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="testing",
        aws_secret_access_key="testing", region_name="us-east-1",
    )  # fmt: skip
    if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        client.create_bucket(Bucket=BUCKET)
    prefix = f"run-{uuid.uuid4().hex}"
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty: the files live in the bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "location": prefix,
                "default_acl": "private", "file_overwrite": False, **credentials,
            },
        },
    }  # fmt: skip
    return client, prefix


@pytest.mark.django_db
def test_a_job_file_is_stored_in_the_bucket_and_downloaded_through_the_web(
    bucket_storage, client, tmp_path
):
    s3, prefix = bucket_storage
    user = StaffUserFactory()
    job = Job.objects.create(kind=Job.Kind.EXPORT, requested_by=user)
    content = "State,Answer\nMexico,Sí\n".encode() * 2000

    job_file = jobs.job_attach_file(
        job_id=job.pk, name="export.csv", content=content, content_type="text/csv"
    )

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]]
    assert keys == [f"{prefix}/{job_file.file.name}"]
    assert not (tmp_path / "media").exists()
    client.force_login(user)
    response = client.get(f"/jobs/{job.pk}/files/{job_file.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content

    # A second attempt replaces the file by name: one object, the new content.
    new = jobs.job_attach_file(
        job_id=job.pk, name="export.csv", content=b"new", content_type="text/csv"
    )
    (only,) = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]
    assert s3.get_object(Bucket=BUCKET, Key=only["Key"])["Body"].read() == b"new"
    response = client.get(f"/jobs/{job.pk}/files/{new.pk}/")
    assert b"".join(response.streaming_content) == b"new"


def test_a_worker_process_writes_the_file_to_the_bucket_and_the_web_process_serves_it(
    workers, survey_round, bucket_storage, client, settings, tmp_path
):
    """The worker is another process with its own (empty) MEDIA_ROOT: the only thing it shares
    with the web side (this test's client) is the bucket."""
    s3, prefix = bucket_storage
    options = settings.STORAGES["default"]["OPTIONS"]
    worker_media = tmp_path / "worker-media"
    workers.start(
        MEDIA_ROOT=str(worker_media), S3_BUCKET=BUCKET, S3_PREFIX=prefix,
        S3_ENDPOINT_URL=options["endpoint_url"], S3_REGION="us-east-1",
        S3_ACCESS_KEY_ID="testing", S3_SECRET_ACCESS_KEY="testing",
    )  # fmt: skip
    user = StaffUserFactory(is_superuser=True)
    with transaction.atomic():
        job = export_job_start(survey_round=survey_round, fmt="csv", user=user)

    wait_until(lambda: job_now(job.pk).is_finished, JOB_TIMEOUT, "the job to finish", workers)
    job = job_now(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error + workers.output()
    (job_file,) = job.files.all()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]]
    assert keys == [f"{prefix}/{job_file.file.name}"]
    assert not worker_media.exists() and not (tmp_path / "media").exists()

    client.force_login(user)
    response = client.get(f"/jobs/{job.pk}/files/{job_file.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == expected_export(survey_round, "csv", tmp_path)
