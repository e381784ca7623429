from setuptools import find_packages, setup

setup(
    name="guestbook",
    version="1.0",
    packages=find_packages(),
    install_requires=[
        "flask>=2.2",
        "gunicorn",
    ],
)
