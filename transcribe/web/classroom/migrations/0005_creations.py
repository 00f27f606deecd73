"""Exercises made in the browser: creations (the form as typed, state, version offered), their
published versions, the transcription queue; trainers' comments on attempts; the exercise
version a working copy was started on and an attempt graded against.

New tables, and two nullable columns on the workspace's tables: every row is kept as it is
(an existing copy or attempt is of an exercise without versions).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attempt_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_comments_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_attempt_comments_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_comments')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_attempt_comments_attempt_id'))
    )
    op.create_table('creations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=80), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review', sa.JSON(), nullable=False),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('recording_format', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_creations_trainer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creations')),
    sa.UniqueConstraint('exercise_id', name=op.f('uq_creations_exercise_id'))
    )
    with op.batch_alter_table('creations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_creations_trainer_id'), ['trainer_id'], unique=False)

    op.create_table('authoring_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('creation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('worker', sa.String(length=120), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('fraction', sa.Float(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['creation_id'], ['creations.id'], name=op.f('fk_authoring_jobs_creation_id_creations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authoring_jobs'))
    )
    with op.batch_alter_table('authoring_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authoring_jobs_creation_id'), ['creation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_authoring_jobs_state'), ['state'], unique=False)

    op.create_table('creation_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('creation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('reference_sha256', sa.String(length=64), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creation_id'], ['creations.id'], name=op.f('fk_creation_versions_creation_id_creations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_creation_versions_published_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_creation_versions')),
    sa.UniqueConstraint('creation_id', 'version', name='uq_creation_versions_number')
    )
    with op.batch_alter_table('creation_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_creation_versions_creation_id'), ['creation_id'], unique=False)

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exercise_version', sa.Integer(), nullable=True))

    with op.batch_alter_table('working_copies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exercise_version', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('working_copies', schema=None) as batch_op:
        batch_op.drop_column('exercise_version')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('exercise_version')

    with op.batch_alter_table('creation_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_creation_versions_creation_id'))

    op.drop_table('creation_versions')
    with op.batch_alter_table('authoring_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authoring_jobs_state'))
        batch_op.drop_index(batch_op.f('ix_authoring_jobs_creation_id'))

    op.drop_table('authoring_jobs')
    with op.batch_alter_table('creations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_creations_trainer_id'))

    op.drop_table('creations')
    op.drop_table('attempt_comments')
