FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home examprep
USER examprep
EXPOSE 8000
CMD ["gunicorn", "examprep.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
