import time

import boto3


def poll():
    sqs = boto3.client("sqs")
    while True:
        sqs.receive_message(QueueUrl="queue", WaitTimeSeconds=20)
        time.sleep(1)


if __name__ == "__main__":
    poll()
