FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home examprep
USER examprep
EXPOSE 8000
# Workers, threads and timeouts: gunicorn.conf.py (chosen by measurement, docs/benchmarks.md).
CMD ["gunicorn", "examprep.wsgi:application", "-c", "gunicorn.conf.py"]
